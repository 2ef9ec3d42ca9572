using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReviewHub.AppStoreConnect;
using ReviewHub.Apps;
using ReviewHub.Fakes;
using ReviewHub.Integrations;
using ReviewHub.Secrets;

namespace ReviewHub.Tests.Integrations;

/// <summary>
/// A connection per App Store Connect team: one invitation and one confirmation (or one team key) connect every app of
/// the team; the apps the key sees are listed, linked by App Store id, and the rest registered in one call.
/// </summary>
public sealed class TeamConnectionTests
{
    /// <summary>The world's app plus four more: one registered Mac app, a universal app and two more
    /// unregistered.</summary>
    private static async Task<(string MacAppId, string[] Unregistered)> TeamOfFiveAsync(IntegrationHarness h)
    {
        h.Asc.AddApp("900000001", "Acme Mac", "com.acme.mac", "MAC_OS");
        h.Asc.AddApp("900000002", "Acme Notes", "com.acme.notes", "IOS", "MAC_OS");
        h.Asc.AddApp("900000003", "Acme Tasks", "com.acme.tasks", "IOS");
        h.Asc.AddApp("900000004", "Acme Watch", "com.acme.watch", "IOS");
        var mac = await h.App.Host.PostAsync($"{h.World.AccountPath}/apps", h.World.Token,
            new { storeAppId = "900000001", platform = "macos", name = "Acme Mac", territories = new[] { "USA" } });
        Assert.True(mac.Status == 201, mac.ToString());
        return (mac.As<AppResponse>().AppId, ["900000002", "900000003", "900000004"]);
    }

    [Fact]
    public async Task One_invitation_and_one_confirmation_connect_every_app_of_the_team_and_offer_the_rest()
    {
        await using var h = await IntegrationHarness.StartAsync();
        var (macAppId, unregistered) = await TeamOfFiveAsync(h);

        Assert.Equal(202, (await h.ConfirmAsync("fullAccess")).Status);
        await h.OperatorsAcceptAsync(AppStoreConnectRoles.Admin);
        var active = await h.WaitForStatusAsync(s => s.Status == "active");

        Assert.Equal(("invitation", 5), (active.Method, active.AppsSeen));
        var apps = (await h.App.Host.GetAsync($"{h.IntegrationPath}/apps", h.World.Token))
            .As<ConnectionAppsResponse>().Items;
        Assert.Equal(5, apps.Count);
        Assert.Equal(["MAC_OS"], apps.Single(a => a.AscAppId == "900000001").Platforms);
        Assert.Equal(["IOS", "MAC_OS"], apps.Single(a => a.AscAppId == "900000002").Platforms);
        Assert.Equal([macAppId], apps.Single(a => a.AscAppId == "900000001").AppIds);
        Assert.Equal(unregistered, apps.Where(a => !a.Registered).Select(a => a.AscAppId).Order());
        // Both registered apps were activated by the one verification, each seeing the team's connection.
        Assert.Equal(new[] { h.World.AppId, macAppId }.Order(), h.Listener.Activated.Select(a => a.AppId).Order());
        var store = h.App.Get<IntegrationStore>();
        var mac = (await store.GetAsync(h.World.AccountId, macAppId, CancellationToken.None))!;
        Assert.Equal((h.ConnectionId, macAppId, true), (mac.ConnectionId, mac.AppId, mac.AllowsReplies));

        var registered = await h.App.Host.PostAsync($"{h.IntegrationPath}/apps", h.World.Token,
            new { territories = new[] { "USA", "DEU" } });

        Assert.True(registered.Status == 200, registered.ToString());
        Assert.All(registered.As<ConnectionAppsResponse>().Items, a => Assert.True(a.Registered));
        var all = await h.App.Get<AppStore>().ListAsync(h.World.AccountId, CancellationToken.None);
        Assert.Equal(5, all.Count);
        Assert.Equal(Platforms.Ios, all.Single(a => a.StoreAppId == "900000002").Platform); // universal: iOS record
        Assert.Equal(5, h.Listener.Activated.Select(a => a.AppId).Distinct().Count());
        foreach (var app in all)
        {
            Assert.Equal(h.ConnectionId,
                (await store.GetAsync(h.World.AccountId, app.AppId, CancellationToken.None))!.ConnectionId);
        }
    }

    [Fact]
    public async Task Registering_unlisted_apps_or_apps_without_territories_answers_400_and_writes_nothing()
    {
        await using var h = await IntegrationHarness.StartAsync();
        await TeamOfFiveAsync(h);
        Assert.Equal(202, (await h.ConfirmAsync("fullAccess")).Status);
        await h.OperatorsAcceptAsync(AppStoreConnectRoles.Admin);
        await h.WaitForStatusAsync(s => s.Status == "active");

        var unknown = await h.App.Host.PostAsync($"{h.IntegrationPath}/apps", h.World.Token,
            new { ascAppIds = new[] { "123" }, territories = new[] { "USA" } });
        var noTerritories = await h.App.Host.PostAsync($"{h.IntegrationPath}/apps", h.World.Token,
            new { ascAppIds = new[] { "900000003" } });
        var notDigits = await h.App.Host.PostAsync($"{h.IntegrationPath}/apps", h.World.Token,
            new { ascAppIds = new[] { "abc" }, territories = new[] { "USA" } });

        Assert.Equal((400, 400, 400), (unknown.Status, noTerritories.Status, notDigits.Status));
        Assert.Equal("application/problem+json", unknown.ContentType);
        Assert.Equal(2, (await h.App.Get<AppStore>().ListAsync(h.World.AccountId, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task A_team_key_is_verified_in_seconds_without_operators_and_ends_in_the_same_active_connection()
    {
        var logs = new RecordingLogs();
        await using var h = await IntegrationHarness.StartAsync(configure: s => s
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Trace)).AddSingleton<ILoggerProvider>(logs));
        var (macAppId, _) = await TeamOfFiveAsync(h);
        var key = h.Asc.CreateKey();
        var started = DateTimeOffset.UtcNow;

        var uploaded = await h.App.Host.PostAsync($"{h.World.AccountPath}/connections/team-key", h.World.Token, new
        {
            team = IntegrationHarness.Team, kind = "fullAccess", issuerId = key.IssuerId, keyId = key.KeyId,
            privateKey = key.PrivateKeyPem,
        });
        Assert.True(uploaded.Status == 202, uploaded.ToString());
        var active = await h.WaitForStatusAsync(s => s.Status == "active");

        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(30));
        Assert.Equal(("teamKey", null, 5), (active.Method, active.ReplyPermission, active.AppsSeen));
        Assert.Contains("first reply", active.NextStep);
        Assert.Equal(0, h.UserLookups); // a team key has no integration user to look up
        Assert.Contains(h.Asc.Requests, r => r.Path.EndsWith("/customerReviews", StringComparison.Ordinal));
        Assert.Equal(2, h.Listener.Activated.Select(a => a.AppId).Distinct().Count());
        Assert.Equal(h.ConnectionId, (await h.App.Get<IntegrationStore>().GetAsync(h.World.AccountId, macAppId,
            CancellationToken.None))!.ConnectionId);
        // The key is in the vault under the connection's name, and never in a response, a row or a log line.
        var row = (await h.ConnectionAsync())!;
        Assert.Contains(key.KeyId, await h.App.Get<ISecretStore>().GetAsync(row.CredentialReference!,
            CancellationToken.None));
        var pem = key.PrivateKeyPem.Split('\n')[1];
        Assert.DoesNotContain(pem, uploaded.Body);
        Assert.DoesNotContain(pem, (await h.App.Host.GetAsync(h.IntegrationPath, h.World.Token)).Body);
        Assert.DoesNotContain(pem, JsonSerializer.Serialize(row));
        Assert.Contains(logs.Lines, l => l.Contains(key.KeyId, StringComparison.Ordinal)); // logged by its id
        Assert.DoesNotContain(logs.Lines, l => l.Contains(pem, StringComparison.Ordinal)
            || l.Contains("PRIVATE KEY", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_team_key_App_Store_Connect_refuses_or_a_bad_upload_answers_a_problem_and_writes_nothing()
    {
        await using var h = await IntegrationHarness.StartAsync();
        var key = h.Asc.CreateKey();
        h.Asc.RevokeKey(key.KeyId);
        object Upload(string? issuerId) => new
        {
            team = IntegrationHarness.Team, kind = "fullAccess", issuerId, keyId = key.KeyId,
            privateKey = key.PrivateKeyPem,
        };

        var refused = await h.App.Host.PostAsync($"{h.World.AccountPath}/connections/team-key", h.World.Token,
            Upload(key.IssuerId));
        var noIssuer = await h.App.Host.PostAsync($"{h.World.AccountPath}/connections/team-key", h.World.Token,
            Upload(null));

        Assert.Equal((422, 400), (refused.Status, noIssuer.Status));
        Assert.Equal("application/problem+json", refused.ContentType);
        Assert.Contains("401", refused.Body);
        Assert.Null(await h.ConnectionAsync());
        Assert.Null(await h.App.Get<ISecretStore>().GetAsync(
            IntegrationCredentials.SecretName(h.World.AccountId, h.ConnectionId), CancellationToken.None));
    }

    [Fact]
    public async Task A_team_key_confirms_the_operators_invitation_setup_of_the_same_team()
    {
        await using var h = await IntegrationHarness.StartAsync();
        Assert.Equal(202, (await h.ConfirmAsync("replyToReviews")).Status);
        await h.WaitForStatusAsync(s => s.Status == "awaitingOperator");
        var key = h.Asc.CreateKey();

        var uploaded = await h.App.Host.PostAsync($"{h.World.AccountPath}/connections/team-key", h.World.Token, new
        {
            team = IntegrationHarness.Team, kind = "replyToReviews", issuerId = key.IssuerId, keyId = key.KeyId,
            privateKey = key.PrivateKeyPem,
        });

        Assert.True(uploaded.Status == 202, uploaded.ToString());
        var active = await h.WaitForStatusAsync(s => s.Status == "active");
        Assert.Equal("teamKey", active.Method);
        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        Assert.Single(await h.App.Get<IntegrationStore>().ListAsync(h.World.AccountId, CancellationToken.None));
    }

    [Fact]
    public async Task The_first_reply_of_a_team_key_finds_out_the_reply_permission_without_degrading_the_connection()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var seeded = await TestConnections.SaveAsync(app.Services, new IntegrationEntity
        {
            PartitionKey = world.AccountId, RowKey = world.AppId, Status = nameof(IntegrationStatus.Active),
            Kind = nameof(IntegrationKind.FullAccess), ActiveKind = nameof(IntegrationKind.FullAccess),
            Method = nameof(ConnectionMethod.TeamKey), CredentialReference = "asc-team",
        });
        var refusals = app.Get<IntegrationKeyRefusals>();
        var forbidden = new AppStoreConnectException(AppStoreConnectFailure.Forbidden, HttpStatusCode.Forbidden,
            "FORBIDDEN_ERROR", "This request is forbidden for security reasons.");

        Assert.True(await refusals.ReplyRefusedAsync(
            AppConnection.Of(seeded, world.AppId), forbidden, CancellationToken.None));

        var refused = (await app.Get<IntegrationStore>().GetAsync(world.AccountId, world.AppId,
            CancellationToken.None))!;
        Assert.Equal((ReplyPermission.Refused, IntegrationStatus.Active, null),
            (refused.ReplyPermissionValue, refused.StatusValue, refused.DegradedCause));
        Assert.False(refused.AllowsReplies);
        Assert.Empty(
            app.Queue.Take<IntegrationHealthCheckRequest>(IntegrationQueues.IntegrationHealthChecks));

        // A new key says nothing yet; its first reply that goes through confirms it.
        await app.Get<IntegrationStore>().SetCredentialAsync(world.AccountId, world.AppId, "asc-team",
            DateTimeOffset.UtcNow, CancellationToken.None, ConnectionMethod.TeamKey);
        var renewed = (await app.Get<IntegrationStore>().GetAsync(world.AccountId, world.AppId,
            CancellationToken.None))!;
        Assert.Null(renewed.ReplyPermissionValue);
        await refusals.ReplyAcceptedAsync(AppConnection.Of(renewed, world.AppId), CancellationToken.None);
        Assert.Equal(ReplyPermission.Confirmed, (await app.Get<IntegrationStore>().GetAsync(world.AccountId,
            world.AppId, CancellationToken.None))!.ReplyPermissionValue);
    }

    [Theory]
    [InlineData(3, 200, 1)]
    [InlineData(450, 200, 3)]
    [InlineData(0, 50, 1)]
    public async Task Pages_of_the_fakes_app_list_follow_AppsResponse(int apps, int limit, int expectedPages)
    {
        await using var asc = new FakeAppStoreConnect();
        await asc.StartAsync();
        for (var i = 0; i < apps; i++)
        {
            asc.AddApp(
                $"{700000000 + i}", $"App {i:D4}", $"com.example.app{i}", i % 5 == 0 ? ["IOS", "MAC_OS"] : ["IOS"]);
        }
        var key = asc.CreateKey();
        using var http = new HttpClient { BaseAddress = asc.BaseAddress };
        var tokens = new AppStoreConnectTokenFactory(
            Microsoft.Extensions.Options.Options.Create(new AppStoreConnectOptions()), TimeProvider.System);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            tokens.GetToken(new AppStoreConnectCredential(key.IssuerId, key.KeyId, key.PrivateKeyPem)));

        string? url = $"v1/apps?include=appStoreVersions&fields[appStoreVersions]=platform&sort=name&limit={limit}";
        var pages = 0;
        while (url is not null)
        {
            var body = await http.GetStringAsync(url);
            var results = AppsResponse.Value.Evaluate(JsonDocument.Parse(body).RootElement,
                new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
            Assert.True(results.IsValid, string.Join("; ", (results.Details ?? [])
                .Where(d => d.Errors is { Count: > 0 })
                .Select(d => $"{d.InstanceLocation}: {string.Join(", ", d.Errors!.Values)}")));
            url = JsonNode.Parse(body)!["links"]!["next"]?.GetValue<string>();
            pages++;
        }
        Assert.Equal(expectedPages, pages);
    }

    [Fact]
    public async Task The_app_list_follows_every_page_and_stops_at_its_bound()
    {
        await using var asc = new FakeAppStoreConnect();
        await asc.StartAsync();
        var total = AppStoreConnectAppCatalog.PageSize * AppStoreConnectAppCatalog.MaxPages + 5;
        for (var i = 0; i < total; i++)
        {
            asc.AddApp($"{700000000 + i}", $"App {i:D5}", $"com.example.app{i}", "IOS");
        }
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["AppStoreConnect:BaseUrl"] = asc.BaseAddress.ToString(),
        });
        var key = asc.CreateKey();

        var listed = await app.Get<AppStoreConnectAppCatalog>().ListAsync(
            new AppStoreConnectCredential(key.IssuerId, key.KeyId, key.PrivateKeyPem), CancellationToken.None);

        Assert.Equal(AppStoreConnectAppCatalog.PageSize * AppStoreConnectAppCatalog.MaxPages, listed.Count);
        Assert.Equal(AppStoreConnectAppCatalog.MaxPages, asc.AppListings);
    }

    private static readonly Lazy<JsonSchema> AppsResponse = new(() => JsonSchema.FromText(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Integrations", "Fixtures",
            "asc-apps-response.schema.json")),
        baseUri: new Uri($"https://reviewhub.test/asc/{Guid.NewGuid():N}")));

    private sealed class RecordingLogs : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> lines = new();

        public IReadOnlyList<string> Lines => [.. lines];

        public ILogger CreateLogger(string categoryName) => new Logger(lines);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
                Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{formatter(state, exception)} {exception}");
        }
    }
}
