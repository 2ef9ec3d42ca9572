using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Apps;
using ReviewHub.Integrations;
using ReviewHub.Secrets;

namespace ReviewHub.Tests.Integrations;

/// <summary>The integration endpoints' validation and answers; bad input changes nothing.</summary>
public sealed class IntegrationApiTests
{
    private static readonly string PrivateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem();

    private const string Team = "Acme Team";

    private static string Connections(TestWorld world) => $"{world.AccountPath}/connections";

    private static string Integration(TestWorld world) => $"{Connections(world)}/{ConnectionIds.For(Team)}";

    private static Task<TestResponse> ConfirmAsync(TestApp app, TestWorld world, string kind = "fullAccess") =>
        app.Host.PostAsync(Connections(world), world.Token, new { team = Team, kind });

    private static Task<IntegrationEntity?> RowAsync(TestApp app, TestWorld world) =>
        app.Get<IntegrationStore>().GetConnectionAsync(
            world.AccountId, ConnectionIds.For(Team), CancellationToken.None);

    [Fact]
    public async Task The_card_gives_one_email_per_account_on_the_configured_domain_and_the_role_table()
    {
        await using var app = await TestApp.StartAsync(
            new Dictionary<string, string?> { ["Integrations:EmailDomain"] = "connect.example.com" });
        var world = await TestWorld.CreateAsync(app);
        var other = await TestWorld.CreateAsync(app);

        var card = (await app.Host.GetAsync($"{world.AccountPath}/connection-card", world.Token))
            .As<IntegrationCardResponse>();
        var otherAccount = (await app.Host.GetAsync($"{other.AccountPath}/connection-card", other.Token))
            .As<IntegrationCardResponse>();

        Assert.Equal($"asc-{world.AccountId}@connect.example.com", card.IntegrationEmail);
        Assert.NotEqual(card.IntegrationEmail, otherAccount.IntegrationEmail);
        Assert.Equal(("ReviewHub", "Connect"), (card.FirstName, card.LastName));
        Assert.Equal(["fullAccess", "replyToReviews", "asoReport", "salesReport"], card.Kinds.Select(k => k.Kind));
        var full = card.Kinds[0];
        Assert.Equal("Admin, or Customer Support + Marketing + Finance", full.Requirement);
        Assert.Equal(["ADMIN"], full.Alternatives[0].Select(r => r.Role));
        Assert.Equal(["Customer Support", "Marketing", "Finance"], full.Alternatives[1].Select(r => r.Name));
    }

    [Fact]
    public async Task Before_any_confirmation_there_is_no_connection()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);

        Assert.Equal(404, (await app.Host.GetAsync(Integration(world), world.Token)).Status);
        Assert.Empty((await app.Host.GetAsync(Connections(world), world.Token)).As<ConnectionsResponse>().Items);
    }

    [Theory]
    [InlineData("{\"team\":\"Acme Team\",\"kind\":\"everything\"}")]
    [InlineData("{\"team\":\"Acme Team\",\"kind\":\"1\"}")]
    [InlineData("{\"team\":\"Acme Team\",\"kind\":\"fullAccess,asoReport\"}")]
    [InlineData("{\"kind\":\"fullAccess\"}")]
    [InlineData("{\"team\":\" \",\"kind\":\"fullAccess\"}")]
    [InlineData("{}")]
    [InlineData("{\"kind\":")]
    public async Task Confirm_with_an_unknown_kind_answers_400_and_writes_nothing(string body)
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);

        var response = await app.Host.PostAsync(Connections(world), world.Token, body);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Null(await RowAsync(app, world));
    }

    [Fact]
    public async Task Confirm_for_another_account_answers_404_and_writes_nothing()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var other = await TestWorld.CreateAsync(app);

        var response = await app.Host.PostAsync(
            Connections(other), world.Token, new { team = Team, kind = "fullAccess" });

        Assert.Equal(404, response.Status);
        Assert.Null(await RowAsync(app, other));
    }

    [Fact]
    public async Task Confirm_records_the_confirmation_and_a_working_day_deadline_once()
    {
        await using var app = await TestApp.StartAsync(
            new Dictionary<string, string?> { ["Integrations:BusinessTimeZone"] = "Europe/Berlin" });
        var world = await TestWorld.CreateAsync(app);

        var response = await ConfirmAsync(app, world, "ReplyToReviews");

        Assert.Equal(202, response.Status);
        var row = (await RowAsync(app, world))!;
        Assert.Equal(nameof(IntegrationKind.ReplyToReviews), row.Kind);
        Assert.Equal(nameof(IntegrationStatus.AwaitingOperator), row.Status);
        Assert.Equal(app.Get<WorkingDayCalendar>().AddWorkingDays(row.ConfirmedAt, 3), row.Deadline);
        Assert.Equal(
            IntegrationSetupFunctions.InstanceIdFor(world.AccountId, ConnectionIds.For(Team)), row.InstanceId);
        Assert.False(row.AllowsReplies);
    }

    public static TheoryData<string, string> BadCredentials => new()
    {
        { "{\"keyId\":\"2X9R4HXF34\",\"privateKey\":\"not a key\"}", "privateKey" },
        { "{\"keyId\":\"2X9R4HXF34\"}", "privateKey" },
        { $"{{\"keyId\":\"2X9R/HXF34\",\"privateKey\":{System.Text.Json.JsonSerializer.Serialize(PrivateKey)}}}",
            "keyId" },
        { $"{{\"issuerId\":\"issuer\",\"keyId\":\"2X9R4HXF34\"," +
            $"\"privateKey\":{System.Text.Json.JsonSerializer.Serialize(PrivateKey)}}}", "issuerId" },
        { $"{{\"keyId\":\"2X9R4HXF34\"," +
            $"\"privateKey" +
            $"\":{System.Text.Json.JsonSerializer.Serialize(RSA.Create(2048).ExportPkcs8PrivateKeyPem())}}}",
            "privateKey" },
    };

    [Theory]
    [MemberData(nameof(BadCredentials))]
    public async Task A_bad_credential_answers_400_naming_the_field_and_stores_nothing(string body, string field)
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        await ConfirmAsync(app, world);

        var response = await app.Host.PostAsync($"{Integration(world)}/credential",
            TestTokens.For("operator", isOperator: true), body);

        Assert.Equal(400, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty(field, out _), response.ToString());
        Assert.Null((await RowAsync(app, world))!.CredentialReference);
        Assert.Null(await app.Get<ISecretStore>().GetAsync(
            $"asc-{world.AccountId}-{ConnectionIds.For(Team)}", CancellationToken.None));
    }

    [Fact]
    public async Task A_credential_before_any_confirmation_answers_404_and_the_key_never_comes_back()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var operatorToken = TestTokens.For("operator", isOperator: true);
        var body = new { keyId = "2X9R4HXF34", privateKey = PrivateKey };

        Assert.Equal(404, (await app.Host.PostAsync($"{Integration(world)}/credential", operatorToken, body)).Status);
        Assert.Null(await app.Get<ISecretStore>().GetAsync(
            $"asc-{world.AccountId}-{ConnectionIds.For(Team)}", CancellationToken.None));

        await ConfirmAsync(app, world);
        var registered = await app.Host.PostAsync($"{Integration(world)}/credential", operatorToken, body);

        Assert.Equal(200, registered.Status);
        Assert.DoesNotContain("PRIVATE KEY", registered.Body);
        Assert.True(registered.As<IntegrationStatusResponse>().CredentialRegistered);
        Assert.Equal("verifying", registered.As<IntegrationStatusResponse>().Status);
        Assert.DoesNotContain("PRIVATE KEY", (await app.Host.GetAsync(Integration(world), world.Token)).Body);
    }

    [Fact]
    public async Task Roles_updated_and_cancel_without_a_setup_in_progress_answer_409()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);

        Assert.Equal(404, (await app.Host.PostAsync($"{Integration(world)}/roles-updated", world.Token)).Status);
        await ConfirmAsync(app, world);
        Assert.Equal(200, (await app.Host.PostAsync($"{Integration(world)}/cancel", world.Token)).Status);
        Assert.Equal(409, (await app.Host.PostAsync($"{Integration(world)}/roles-updated", world.Token)).Status);
        Assert.Equal(409, (await app.Host.PostAsync($"{Integration(world)}/cancel", world.Token)).Status);
        Assert.Equal(IntegrationStatus.Cancelled, (await RowAsync(app, world))!.StatusValue);
    }

    [Fact]
    public async Task Purging_a_removed_app_unlinks_it_and_keeps_the_team_connection_and_its_key()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        await ConfirmAsync(app, world);
        await app.Host.PostAsync($"{Integration(world)}/credential", TestTokens.For("operator", isOperator: true),
            new { keyId = "2X9R4HXF34", privateKey = PrivateKey });
        var reference = (await RowAsync(app, world))!.CredentialReference!;
        var links = app.Get<ConnectionAppStore>();
        await links.LinkAsync(world.AccountId, ConnectionIds.For(Team), world.AppId, "1", CancellationToken.None);
        var purger = app.Services.GetServices<IAppDataPurger>().OfType<IntegrationPurger>().Single();

        await purger.PurgeAsync(world.AccountId, world.AppId, CancellationToken.None);
        await purger.PurgeAsync(world.AccountId, world.AppId, CancellationToken.None);

        Assert.Null(await links.GetLinkAsync(world.AccountId, world.AppId, CancellationToken.None));
        Assert.NotNull(await RowAsync(app, world));
        Assert.NotNull(await app.Get<ISecretStore>().GetAsync(reference, CancellationToken.None));
    }
}
