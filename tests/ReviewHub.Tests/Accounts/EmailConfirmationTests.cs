using Microsoft.Extensions.Time.Testing;
using ReviewHub.Accounts;
using ReviewHub.Delivery;
using ReviewHub.Fakes;
using ReviewHub.Tests.Delivery;
using System.Globalization;

namespace ReviewHub.Tests.Accounts;

/// <summary>No email relay: an address gets nothing until it confirms through a signed, expiring link.</summary>
public sealed class EmailConfirmationTests
{
    private static async Task SendLinksAsync(TestApp app)
    {
        foreach (var message in app.Queue.Take<EmailConfirmationMessage>(AccountQueues.EmailConfirmations))
        {
            await app.Get<EmailConfirmationSender>().SendAsync(message, CancellationToken.None);
        }
    }

    private static string LinkPath(FakeSendGrid sendGrid, string to) =>
        new Uri(
            ConfirmedEmails.LinkIn(
                sendGrid.Emails.Last(e => ConfirmedEmails.IsConfirmation(e) && e.To.Contains(to)).PlainText!
            )
        ).AbsolutePath;

    [Fact]
    public async Task An_email_route_sends_nothing_until_a_recipient_confirms_and_then_only_to_confirmed_recipients()
    {
        await using var h = await DeliveryHarness.StartAsync();
        var created = await h.App.Host.PostAsync(
            h.RoutesPath,
            h.World.Token,
            new { channel = "email", target = "a@team.test, b@team.test" }
        );
        var route = created.As<RouteResponse>();

        await h.DeliverBatchAsync(h.Batch(await h.SeedReviewsAsync(1)));
        var test = await h.App.Host.PostAsync($"{h.RoutesPath}/{route.RouteId}/test", h.World.Token);

        Assert.Empty(h.SendGrid.Emails);
        Assert.Equal(409, test.Status);
        Assert.Equal(RouteFunctions.UnconfirmedRecipientsType, test.Json.GetProperty("type").GetString());

        await SendLinksAsync(h.App);
        var links = h.SendGrid.Emails;
        Assert.Equal(2, links.Count);
        Assert.All(links, e => Assert.Equal(EmailConfirmationSender.Subject, e.Subject));
        Assert.All(links, e => Assert.DoesNotContain("Acme", e.PlainText + e.Html)); // no text the customer chose
        var confirm = await h.App.Host.PostAsync(LinkPath(h.SendGrid, "a@team.test"), token: null);
        Assert.True(confirm.Status == 200, confirm.ToString());
        h.SendGrid.Forget(ConfirmedEmails.IsConfirmation);

        var ids = await h.SeedReviewsAsync(1);
        await h.DeliverBatchAsync(h.Batch(ids));
        Assert.Equal(["a@team.test"], Assert.Single(h.SendGrid.Emails).To);
        Assert.Equal(200, (await h.App.Host.PostAsync($"{h.RoutesPath}/{route.RouteId}/test", h.World.Token)).Status);
        Assert.Equal(["a@team.test"], h.SendGrid.Emails[^1].To);
    }

    [Fact]
    public async Task An_unconfirmed_owner_email_gets_no_notice()
    {
        var sendGrid = new FakeSendGrid();
        await sendGrid.StartAsync();
        await using var _ = sendGrid;
        await using var app = await TestApp.StartAsync(
            new Dictionary<string, string?> { ["Email:SendGridBaseUrl"] = sendGrid.BaseAddress.ToString().TrimEnd('/') }
        );
        var world = await TestWorld.CreateAsync(app);
        var routes = app.Get<RouteStore>();
        var appRow = (
            await app.Get<ReviewHub.Apps.AppStore>().GetAsync(world.AccountId, world.AppId, CancellationToken.None)
        )!;
        async Task<RouteEntity> BreakNewRouteAsync()
        {
            var (route, _) = await routes.CreateAsync(
                world.AccountId,
                world.AppId,
                DeliveryChannel.Slack,
                new CreateRouteRequest("slack", null, "C0123456789", null, true, "xoxb-1", null, null),
                CancellationToken.None
            );
            await app.Get<BrokenRouteNotifier>()
                .RouteBrokeAsync(route, appRow, "token_revoked", CancellationToken.None);
            return route;
        }

        await BreakNewRouteAsync();
        Assert.Empty(sendGrid.Emails);

        await ConfirmedEmails.ConfirmAllAsync(app, sendGrid);
        await BreakNewRouteAsync();
        Assert.Equal([world.OwnerEmail], Assert.Single(sendGrid.Emails).To);
    }

    [Fact]
    public async Task Links_expire_and_a_resent_link_works_however_often_the_clock_passes_an_expiry()
    {
        var sendGrid = new FakeSendGrid();
        await sendGrid.StartAsync();
        await using var _ = sendGrid;
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(
            new Dictionary<string, string?>
            {
                ["Email:SendGridBaseUrl"] = sendGrid.BaseAddress.ToString().TrimEnd('/'),
                ["EmailConfirmation:LinkLifetime"] = "01:00:00",
                ["EmailConfirmation:ResendInterval"] = "00:10:00",
            },
            services => services.Replace<TimeProvider>(clock)
        );
        var world = await TestWorld.CreateAsync(app);

        for (var round = 0; round < 3; round++)
        {
            if (round > 0)
            {
                Assert.Equal(
                    202,
                    (
                        await app.Host.PostAsync(
                            $"{world.AccountPath}/email-confirmations",
                            world.Token,
                            new { email = world.OwnerEmail }
                        )
                    ).Status
                );
            }
            await SendLinksAsync(app);
            var link = LinkPath(sendGrid, world.OwnerEmail);
            clock.Advance(TimeSpan.FromMinutes(61));

            Assert.Equal(410, (await app.Host.GetAsync(link, token: null)).Status);
            Assert.Equal(410, (await app.Host.PostAsync(link, token: null)).Status);
            Assert.False(
                await app.Get<EmailConfirmationStore>()
                    .IsConfirmedAsync(world.AccountId, world.OwnerEmail, CancellationToken.None)
            );
        }

        Assert.Equal(
            202,
            (
                await app.Host.PostAsync(
                    $"{world.AccountPath}/email-confirmations",
                    world.Token,
                    new { email = world.OwnerEmail }
                )
            ).Status
        );
        await SendLinksAsync(app);
        var tooSoon = await app.Host.PostAsync(
            $"{world.AccountPath}/email-confirmations",
            world.Token,
            new { email = world.OwnerEmail }
        );
        Assert.Equal(429, tooSoon.Status);
        var fresh = LinkPath(sendGrid, world.OwnerEmail);
        clock.Advance(TimeSpan.FromMinutes(59));
        var page = await app.Host.GetAsync(fresh, token: null);
        Assert.Equal(200, page.Status);
        Assert.Contains(world.OwnerEmail, page.Body);
        Assert.False(
            await app.Get<EmailConfirmationStore>()
                .IsConfirmedAsync(world.AccountId, world.OwnerEmail, CancellationToken.None)
        );
        Assert.Equal(200, (await app.Host.PostAsync(fresh, token: null)).Status);
        Assert.True(
            await app.Get<EmailConfirmationStore>()
                .IsConfirmedAsync(world.AccountId, world.OwnerEmail, CancellationToken.None)
        );
    }

    [Fact]
    public async Task Forged_and_tampered_links_are_refused()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var tokens = app.Get<EmailConfirmationTokens>();
        var genuine = tokens.Create(
            new EmailConfirmationClaim(world.AccountId, world.OwnerEmail, DateTimeOffset.UtcNow.AddHours(1))
        );
        var parts = genuine.Split('.');
        var otherAddress = tokens
            .Create(
                new EmailConfirmationClaim(world.AccountId, "victim@example.test", DateTimeOffset.UtcNow.AddHours(1))
            )
            .Split('.')[1];
        var later = DateTimeOffset.UtcNow.AddYears(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        foreach (
            var forged in new[]
            {
                string.Join('.', parts[0], otherAddress, parts[2], parts[3]),
                string.Join('.', parts[0], parts[1], later, parts[3]),
                string.Join('.', parts[..3]) + ".AAAA",
                "not-a-token",
            }
        )
        {
            Assert.Equal(400, (await app.Host.PostAsync($"/api/email-confirmations/{forged}", token: null)).Status);
        }
        var unknownAddress = tokens.Create(
            new EmailConfirmationClaim(world.AccountId, "never-asked@example.test", DateTimeOffset.UtcNow.AddHours(1))
        );
        Assert.Equal(404, (await app.Host.PostAsync($"/api/email-confirmations/{unknownAddress}", token: null)).Status);
        Assert.Equal(200, (await app.Host.PostAsync($"/api/email-confirmations/{genuine}", token: null)).Status);
    }

    [Fact]
    public async Task Duplicate_messages_send_one_link_and_an_account_has_a_daily_budget_of_links()
    {
        var sendGrid = new FakeSendGrid();
        await sendGrid.StartAsync();
        await using var _ = sendGrid;
        await using var app = await TestApp.StartAsync(
            new Dictionary<string, string?>
            {
                ["Email:SendGridBaseUrl"] = sendGrid.BaseAddress.ToString().TrimEnd('/'),
                ["EmailConfirmation:MaxEmailsPerAccountPerDay"] = "3",
            }
        );
        var world = await TestWorld.CreateAsync(app);
        var messages = app.Queue.Take<EmailConfirmationMessage>(AccountQueues.EmailConfirmations);
        foreach (var message in messages.Concat(messages))
        {
            await app.Get<EmailConfirmationSender>().SendAsync(message, CancellationToken.None);
        }
        Assert.Single(sendGrid.Emails);

        await app.Host.PostAsync(
            $"{world.AppPath}/routes",
            world.Token,
            new { channel = "email", target = "a@team.test, b@team.test, c@team.test, d@team.test" }
        );
        await SendLinksAsync(app);

        Assert.Equal(3, sendGrid.Emails.Count);
        var list = (await app.Host.GetAsync($"{world.AccountPath}/email-confirmations", world.Token)).Json.GetProperty(
            "items"
        );
        Assert.Equal(5, list.GetArrayLength());
        Assert.All(list.EnumerateArray(), e => Assert.Equal("pending", e.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Test_messages_are_rate_limited_per_route_and_per_account()
    {
        await using var h = await DeliveryHarness.StartAsync(
            new Dictionary<string, string?>
            {
                ["Delivery:TestMessagesPerRoute"] = "2",
                ["Delivery:TestMessagesPerAccount"] = "3",
            }
        );
        var first = await h.AddWebhookRouteAsync(path: "hooks/one");
        var second = await h.AddWebhookRouteAsync(path: "hooks/two");
        Task<TestResponse> TestAsync(RouteResponse route) =>
            h.App.Host.PostAsync($"{h.RoutesPath}/{route.RouteId}/test", h.World.Token);

        Assert.Equal(200, (await TestAsync(first)).Status);
        Assert.Equal(200, (await TestAsync(first)).Status);
        var perRoute = await TestAsync(first);
        Assert.Equal(200, (await TestAsync(second)).Status);
        var perAccount = await TestAsync(second);

        Assert.Equal(429, perRoute.Status);
        Assert.Equal(429, perAccount.Status);
        Assert.True(int.Parse(perRoute.Headers.RetryAfter.ToString(), CultureInfo.InvariantCulture) > 0);
        Assert.Equal(3, h.Webhooks.Received.Count);
    }
}
