using Azure.Data.Tables;
using ReviewHub.Delivery;
using ReviewHub.Secrets;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Delivery;

public sealed class RouteApiTests
{
    [Fact]
    public async Task Secrets_go_to_the_secret_store_and_never_come_back_from_the_api()
    {
        await using var h = await DeliveryHarness.StartAsync();
        var slack = await h.AddSlackRouteAsync(new { ratings = new[] { 1, 2 }, territories = new[] { "USA" } });
        var zendesk = await h.AddZendeskRouteAsync();

        var list = await h.App.Host.GetAsync(h.RoutesPath, h.World.Token);

        Assert.Equal(200, list.Status);
        Assert.DoesNotContain(DeliveryHarness.SlackToken, list.Body);
        Assert.DoesNotContain(DeliveryHarness.ZendeskToken, list.Body);
        var shown = await h.GetRouteAsync(slack.RouteId);
        Assert.Equal("slack", shown.Channel);
        Assert.Equal([1, 2], shown.Filters.Ratings);
        Assert.True(shown.HasCredentials);
        var rows = h.App.Get<TableServiceClient>().GetTableClient(DeliveryTables.DeliveryRoutes);
        await foreach (var row in rows.QueryAsync<TableEntity>(r => r.PartitionKey == h.World.AppId))
        {
            Assert.DoesNotContain(((IDictionary<string, object>)row).Values,
                v => v is string s && (s.Contains("xoxb-") || s.Contains(DeliveryHarness.ZendeskToken)));
        }
        var stored = (await h.App.Get<RouteStore>().ListAsync(h.World.AppId, default)).Single(r =>
            r.RouteId == zendesk.RouteId);
        Assert.Contains(DeliveryHarness.ZendeskToken,
            await h.App.Get<ISecretStore>().GetAsync(stored.SecretReference!, default));
    }

    [Fact]
    public async Task A_webhook_signing_secret_is_generated_shown_once_and_can_be_rotated()
    {
        await using var h = await DeliveryHarness.StartAsync();
        var route = await h.AddWebhookRouteAsync();

        Assert.StartsWith("whsec_", route.SigningSecret);
        Assert.True(Convert.FromBase64String(route.SigningSecret![6..]).Length >= 24);
        Assert.DoesNotContain(route.SigningSecret, (await h.App.Host.GetAsync(h.RoutesPath, h.World.Token)).Body);

        var rotated = await h.App.Host.PatchAsync($"{h.RoutesPath}/{route.RouteId}", h.World.Token,
            new { rotateSigningSecret = true });
        Assert.Equal(200, rotated.Status);
        var secret = rotated.As<RouteResponse>().SigningSecret;
        Assert.NotNull(secret);
        Assert.NotEqual(route.SigningSecret, secret);

        // The receiver still holds the old secret: the test message is refused (401) until it learns the new one.
        Assert.Equal(502, (await h.App.Host.PostAsync($"{h.RoutesPath}/{route.RouteId}/test", h.World.Token)).Status);
        h.Webhooks.SetSecret("hooks/reviews", secret!);
        Assert.Equal(200, (await h.App.Host.PostAsync($"{h.RoutesPath}/{route.RouteId}/test", h.World.Token)).Status);
    }

    public static TheoryData<string> InvalidBodies => new()
    {
        """{"channel":"pigeon","target":"x"}""",
        """{"target":"C0123456789","slackBotToken":"xoxb-1"}""",
        """{"channel":"slack","target":"general","slackBotToken":"xoxb-1"}""",
        """{"channel":"slack","target":"C0123456789"}""",
        """{"channel":"slack","target":"C0123456789","slackBotToken":"xoxp-user-token"}""",
        """{"channel":"email","target":"not-an-email"}""",
        """{"channel":"email","target":"a@customer.test, a@customer.test"}""",
        """{"channel":"email","target":""}""",
        """{"channel":"zendesk","target":"Acme Corp!","zendeskEmail":"a@acme.test","zendeskApiToken":"t"}""",
        """{"channel":"zendesk","target":"acme","zendeskEmail":"nope","zendeskApiToken":"t"}""",
        """{"channel":"zendesk","target":"acme"}""",
        """{"channel":"webhook","target":"not a url"}""",
        """{"channel":"webhook","target":"ftp://hooks.customer.test/x"}""",
        """{"channel":"webhook","target":"https://user:pass@hooks.customer.test/x"}""",
        """{"channel":"email","target":"a@customer.test","filters":{"ratings":[0,6]}}""",
        """{"channel":"email","target":"a@customer.test","filters":{"territories":["usa"]}}""",
        """{"channel":"email","target":"a@customer.test","filters":{"ratings":"five"}}""",
        """not json""",
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Invalid_routes_answer_400_and_write_nothing(string body)
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);

        var response = await app.Host.PostAsync($"{world.AppPath}/routes", world.Token, body);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Empty(await app.Get<RouteStore>().ListAsync(world.AppId, default));
    }

    public static TheoryData<string> UnsafeWebhookTargets => new()
    {
        "http://hooks.customer.test/reviews", "https://127.0.0.1/hook", "https://localhost/hook",
            "https://10.1.2.3/hook", "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data",
    };

    [Theory]
    [MemberData(nameof(UnsafeWebhookTargets))]
    public async Task Webhooks_must_be_https_to_a_public_address(string target)
    {
        await using var app = await TestApp.StartAsync(
            new Dictionary<string, string?> { ["Delivery:AllowInsecureWebhooks"] = "false" });
        var world = await TestWorld.CreateAsync(app);

        var response = await app.Host.PostAsync($"{world.AppPath}/routes", world.Token,
            new { channel = "webhook", target });

        Assert.Equal(400, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("target", out _), response.Body);
        Assert.Empty(await app.Get<RouteStore>().ListAsync(world.AppId, default));
        Assert.Equal(201, (await app.Host.PostAsync($"{world.AppPath}/routes", world.Token,
            new { channel = "webhook", target = "https://hooks.customer.test/reviews" })).Status);
    }

    [Fact]
    public async Task Updates_are_validated_against_the_routes_channel_and_change_nothing_when_invalid()
    {
        await using var h = await DeliveryHarness.StartAsync();
        var route = await h.AddSlackRouteAsync();
        var path = $"{h.RoutesPath}/{route.RouteId}";

        Assert.Equal(400,
            (await h.App.Host.PatchAsync(path, h.World.Token, new { target = "someone@customer.test" })).Status);
        Assert.Equal(400, (await h.App.Host.PatchAsync(path, h.World.Token, new { slackBotToken = "nope" })).Status);
        Assert.Equal(400,
            (await h.App.Host.PatchAsync(path, h.World.Token, new { rotateSigningSecret = true })).Status);
        Assert.Equal(400, (await h.App.Host.PatchAsync(path, h.World.Token, new { })).Status);
        var unchanged = await h.GetRouteAsync(route.RouteId);
        Assert.Equal((route.Target, route.Enabled, route.UpdatedAt),
            (unchanged.Target, unchanged.Enabled, unchanged.UpdatedAt));

        var updated = await h.App.Host.PatchAsync(path, h.World.Token,
            new { name = "Low ratings", filters = new { ratings = new[] { 1 } }, enabled = false });
        Assert.Equal(200, updated.Status);
        var shown = updated.As<RouteResponse>();
        Assert.Equal("Low ratings", shown.Name);
        Assert.False(shown.Enabled);
        Assert.Equal([1], shown.Filters.Ratings);
        Assert.True(shown.HasCredentials);
    }

    [Fact]
    public async Task A_zendesk_update_may_change_only_the_token_and_keeps_the_email()
    {
        await using var h = await DeliveryHarness.StartAsync();
        var route = await h.AddZendeskRouteAsync();

        var updated = await h.App.Host.PatchAsync($"{h.RoutesPath}/{route.RouteId}", h.World.Token,
            new { zendeskApiToken = "new-token" });

        Assert.Equal(200, updated.Status);
        var stored = (await h.App.Get<RouteStore>().ListAsync(h.World.AppId, default)).Single();
        Assert.Equal(new ZendeskCredential(DeliveryHarness.ZendeskEmail, "new-token"),
            await h.App.Get<RouteStore>().GetZendeskCredentialAsync(stored, default));
    }

    [Fact]
    public async Task Deleting_a_route_removes_its_secret_and_unknown_routes_answer_404()
    {
        await using var h = await DeliveryHarness.StartAsync();
        var route = await h.AddSlackRouteAsync();
        var reference = (await h.App.Get<RouteStore>().ListAsync(h.World.AppId, default)).Single().SecretReference!;

        Assert.Equal(204, (await h.App.Host.DeleteAsync($"{h.RoutesPath}/{route.RouteId}", h.World.Token)).Status);

        Assert.Null(await h.App.Get<ISecretStore>().GetAsync(reference, default));
        Assert.Equal(404, (await h.App.Host.DeleteAsync($"{h.RoutesPath}/{route.RouteId}", h.World.Token)).Status);
        Assert.Equal(404,
            (await h.App.Host.PatchAsync($"{h.RoutesPath}/{Ids.New()}", h.World.Token, new { enabled = true })).Status);
        Assert.Equal(404, (await h.App.Host.PostAsync($"{h.RoutesPath}/not-an-id/test", h.World.Token)).Status);
    }

    [Fact]
    public async Task Replay_refuses_unknown_queues_and_bad_filters()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var token = TestTokens.For(world.UserId, isOperator: true);

        Assert.Equal(404, (await app.Host.PostAsync("/api/operators/poison/nope/replay", token)).Status);
        Assert.Equal(400,
            (await app.Host.PostAsync("/api/operators/poison/deliveries/replay", token,
            new { maxMessages = 0 })).Status);
    }
}
