using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReviewHub.Accounts;
using ReviewHub.Apps;
using ReviewHub.Fakes;
using ReviewHub.Integrations;
using ReviewHub.Reviews;
using ReviewHub.Slack;

namespace ReviewHub.Tests.Simulation;

/// <summary>The fake services of the month, all on the simulated clock.</summary>
internal sealed class SimulationFakes : IAsyncDisposable
{
    public FakeReviewFeed Feed { get; } = new();
    public FakeAppStoreConnect Asc { get; } = new();
    public FakeSlack Slack { get; } = new();
    public FakeSendGrid SendGrid { get; } = new();
    public FakeZendesk Zendesk { get; } = new();
    public FakeWebhookReceiver Webhooks { get; } = new();
    public FakeGooglePlay Play { get; } = new();

    private IEnumerable<FakeHttpServer> All => [Feed, Asc, Slack, SendGrid, Zendesk, Webhooks, Play];

    public async Task StartAsync(TimeProvider clock)
    {
        foreach (var fake in All)
        {
            fake.Clock = clock;
        }
        await Task.WhenAll(All.Select(f => f.StartAsync()));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var fake in All)
        {
            await fake.DisposeAsync();
        }
    }
}

/// <summary>A route as created through the API, with what identifies its deliveries at the fake channel.</summary>
internal sealed record RouteState(RoutePlan Plan, string RouteId, string Target);

/// <summary>An app during the month: its id, routes, key, and when it was activated, revoked or removed.</summary>
internal sealed class AppState(AppPlan plan)
{
    public AppPlan Plan { get; } = plan;
    public string AppId { get; set; } = string.Empty;
    public List<RouteState> Routes { get; } = [];
    public FakeAppStoreConnectKey? Key { get; set; }
    public DateTimeOffset? ActivatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset? RemovedAt { get; set; }
    public string? SetupProblem { get; set; }
}

/// <summary>A reply as the team last left it: the body of its newest version, or deleted.</summary>
internal sealed class ReplyRecord(PlannedReview review, string reviewId)
{
    public PlannedReview Review { get; } = review;
    public string ReviewId { get; } = reviewId;
    public string? LastBody { get; set; }
    public bool Deleted { get; set; }
    public int Versions { get; set; }
}

/// <summary>
/// Drives a month against a <see cref="SimulatedHost"/> the way customers, operators and Apple would: one account
/// registers five apps with their routes on day 0; reviews (some edited later) appear in the fakes at their moments;
/// three apps are connected to App Store Connect through the real setup orchestration and an Android app to Google Play
/// (MonthScenario.GooglePlay.cs); the team replies; a key is
/// revoked; an app is removed while its hourly fetch runs. Customer and operator actions go through the HTTP functions.
/// </summary>
internal sealed partial class MonthScenario(
    MonthPlan plan, SimulatedHost host, SimulationFakes fakes, Action<string> output)
{
    private readonly PriorityQueue<(Func<Task> Run, bool Races), (DateTimeOffset At, long Order)> events = new();
    private readonly Random random = new(plan.Options.Seed + 1);
    private readonly string userId = $"user-{plan.Options.Seed}";
    private long order;

    public MonthPlan Plan => plan;
    public string AccountId { get; private set; } = string.Empty;
    public string OwnerEmail => "owner@acme-sim.test";
    public Dictionary<string, AppState> Apps { get; } = plan.Apps.ToDictionary(a => a.Key, a => new AppState(a));
    public Dictionary<(string App, string ReviewId), ReplyRecord> Replies { get; } = [];

    /// <summary>The reply events every webhook route subscribes to (all of them).</summary>
    public static readonly string[] ReplyEvents = ["sent", "published", "failed", "overdue", "outdated"];

    /// <summary>Drafts an approver sent, by app key (each also a reply of the team's, in <see cref="Replies"/>).
    /// </summary>
    public Dictionary<string, int> ApprovedDrafts { get; } = [];

    /// <summary>Drafts an approver rejected: App Store Connect could not take their reply (review not known there).
    /// </summary>
    public int RejectedDrafts { get; private set; }

    /// <summary>The apps (keys) of the replies the team sent from Slack (each also in <see cref="Replies"/>).
    /// </summary>
    public List<string> SlackReplies { get; } = [];

    private const string SlackTeam = "T0ACMESIM";
    private const string SlackUser = "U0DANASIM";

    /// <summary>
    /// Things the customer saw go wrong while acting (a reply refused, a review to reply to missing).
    /// </summary>
    public List<string> Anomalies { get; } = [];

    /// <summary>
    /// When each address the account emails (the owner's, the email routes' recipients) followed its confirmation link;
    /// nothing is sent to an address before (docs/delivery.md, Email confirmation).
    /// </summary>
    public Dictionary<string, DateTimeOffset> ConfirmedAt { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long after the setup the owner and the recipients open their mail and confirm.</summary>
    public static readonly TimeSpan ConfirmationDelay = TimeSpan.FromMinutes(10);

    public string IntegrationEmail => $"asc-{AccountId}@{host.Configuration["Integrations:EmailDomain"]}";

    /// <summary>Waits the scenario makes for a setup orchestration (real time), not the app's own handlers.</summary>
    public const string SetupWait = "the setup";

    /// <summary>A rate limit longer than a handler should wait in process (issue 11, item 5: 25 s).</summary>
    public static readonly TimeSpan LongRetryAfter = TimeSpan.FromSeconds(25);

    /// <summary>The rate limits the scenario injects: which service, and on which day.</summary>
    public List<string> RateLimits { get; } = [];

    /// <summary>Injected rate limits no request met (the service was not called after the injection).</summary>
    public int RateLimitsLeft =>
        new FakeHttpServer[] { fakes.Slack, fakes.Zendesk, fakes.SendGrid, fakes.Webhooks, fakes.Asc }
            .Sum(f => f.PendingFaults);

    private string Token => TestTokens.For(userId, "owner@acme-sim.test");
    private static string OperatorToken => TestTokens.For("operator-sim", isOperator: true);

    public async Task RunAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        await SetUpAsync();
        At(plan.Start + ConfirmationDelay, FollowConfirmationLinksAsync);
        foreach (var review in plan.Reviews.Where(r => !r.History))
        {
            At(review.CreatedAt, () => Publish(review, edited: false));
            if (review.EditedAt is { } edited)
            {
                At(edited, () => Publish(review, edited: true));
            }
        }
        foreach (var app in Apps.Values)
        {
            ScheduleIntegration(app);
            if (plan.RevokedAt(app.Plan) is { } revoke)
            {
                At(revoke, () => RevokeKey(app));
            }
        }
        ScheduleRateLimits();
        ScheduleGooglePlay();
        ScheduleConnections();
        At(plan.Start + TimeSpan.FromDays(Math.Min(14, plan.Options.Days - 2)) + TimeSpan.FromHours(10),
            ReplyFromSlackAsync);
        foreach (var action in plan.ReplyActions)
        {
            At(action.At, () => ReplyAsync(action));
        }
        for (var day = 1; day <= plan.Options.Days; day++)
        {
            var number = day;
            At(plan.Start.AddDays(day), () => Progress(number, stopwatch));
            if (plan.Start.AddDays(day - 1).AddHours(17) < plan.End - MonthPlan.QuietTail)
            {
                // Nothing new starts in the quiet tail: a reply approved there may still be in moderation at the end.
                At(plan.Start.AddDays(day - 1).AddHours(17), ApproveADraftPerAppAsync);
            }
        }

        while (events.TryDequeue(out var next, out var when))
        {
            await host.RunUntilAsync(when.At);
            if (next.Races)
            {
                await host.StepAsync(next.Run);
            }
            else
            {
                await next.Run();
                await host.StepAsync();
            }
        }
    }

    private void At(DateTimeOffset at, Func<Task> run, bool races = false) =>
        events.Enqueue((run, races), (at, order++));

    private void At(DateTimeOffset at, Action run) => At(at, () =>
    {
        run();
        return Task.CompletedTask;
    });

    private async Task SetUpAsync()
    {
        foreach (var review in plan.Reviews.Where(r => r.History))
        {
            Publish(review, edited: false);
        }
        var account = await CallAsync(HttpMethod.Post, "/api/accounts",
            new { name = "Acme", ownerEmail = OwnerEmail }, 201);
        AccountId = account.As<AccountResponse>().AccountId;
        var routeNumber = 0;
        foreach (var app in Apps.Values.Where(a => !a.Plan.RegisteredByOffer))
        {
            routeNumber = await RegisterAsync(app, routeNumber);
        }
        await SetUpGooglePlayAsync(routeNumber);
        await CreateReplyRulesAsync();
    }

    /// <summary>
    /// Registers the app through the API and creates its routes, numbered on from <paramref name="routeNumber"/>;
    /// returns the last number used. An app without territories (Google Play's) sends none: the API refuses
    /// territories for a Play app, even an empty list.
    /// </summary>
    private async Task<int> RegisterAsync(AppState app, int routeNumber)
    {
        var registered = await CallAsync(HttpMethod.Post, $"/api/accounts/{AccountId}/apps", new
        {
            storeAppId = app.Plan.StoreAppId,
            platform = app.Plan.Platform,
            name = app.Plan.Name,
            territories = app.Plan.Territories is [] ? null : app.Plan.Territories, // null: not written
        }, 201);
        app.AppId = registered.As<AppResponse>().AppId;
        foreach (var route in app.Plan.Routes)
        {
            app.Routes.Add(await CreateRouteAsync(app, route, ++routeNumber));
        }
        return routeNumber;
    }

    /// <summary>
    /// One template, and two rules per app that gets an integration: five-star reviews are answered at once (post),
    /// one-star reviews get a draft for an approver (the default daily cap, 20, applies). Rules see new reviews only.
    /// </summary>
    private async Task CreateReplyRulesAsync()
    {
        var template = (await CallAsync(HttpMethod.Post, $"/api/accounts/{AccountId}/reply-templates",
            new { name = "Thanks", tags = new[] { "sim" }, body = "Thanks {{nickname}} for rating {{appName}}!" },
            201)).Json.GetProperty("templateId").GetString();
        foreach (var app in Apps.Values.Where(a => a.Plan.Integration is not null))
        {
            var path = $"/api/accounts/{AccountId}/apps/{app.AppId}/reply-rules";
            await CallAsync(HttpMethod.Post, path, new
            {
                name = "Five stars", conditions = new { ratings = new[] { 5 } }, templateId = template, mode = "post",
            }, 201);
            await CallAsync(HttpMethod.Post, path, new
            {
                name = "One star", conditions = new { ratings = new[] { 1 } }, templateId = template, mode = "draft",
            }, 201);
        }
    }

    /// <summary>
    /// A member answers a review from its Slack message, as in Slack: links their Slack user (the link ReviewHub
    /// would send them), clicks Reply on the newest announced review that has no reply, and submits the modal. Every
    /// request is signed with the Slack signing secret at the simulated time.
    /// </summary>
    private async Task ReplyFromSlackAsync()
    {
        var secret = host.Configuration["Slack:SigningSecret"]!;
        var link = new SlackLinkTokens(secret).Create(SlackTeam, SlackUser, host.Now.AddMinutes(15));
        await CallAsync(HttpMethod.Post, "/api/slack-links", new { token = link }, 200);
        var channels = Apps.Values.Where(a => a.RemovedAt is null && a.RevokedAt is null && a.ActivatedAt is not null)
            .SelectMany(a => a.Routes.Where(r => r.Plan.Channel == "slack").Select(r => (App: a, r.Target))).ToList();
        foreach (var message in fakes.Slack.Messages.Reverse().Where(m => m.ThreadTs is null
            && m.BlocksJson.Contains(SlackReplyBlocks.ReplyAction, StringComparison.Ordinal)))
        {
            var (app, _) = channels.FirstOrDefault(c => c.Target == message.Channel);
            var value = JsonDocument.Parse(message.BlocksJson).RootElement.EnumerateArray()
                .Where(b => b.GetProperty("type").GetString() == "actions")
                .SelectMany(b => b.GetProperty("elements").EnumerateArray()).First().GetProperty("value").GetString();
            var reviewId = value?.Split('|')[3];
            var review = reviewId is null || app is null ? null
                : plan.Reviews.FirstOrDefault(r => r.App == app.Plan && r.Is(reviewId));
            if (review is null || (await GetAsync(
                $"/api/accounts/{AccountId}/apps/{app!.AppId}/reviews/{reviewId}/reply")).Status != 404)
            {
                continue;
            }
            var views = fakes.Slack.Views.Count;
            await SlackAsync(SlackInteraction.Click(fakes.Slack, message, SlackReplyBlocks.ReplyAction, SlackTeam,
                SlackUser));
            if (fakes.Slack.Views.Count == views)
            {
                Anomalies.Add($"{host.Now:MM-dd HH:mm} clicking Reply in Slack opened no modal");
                return;
            }
            const string body = "Thanks for the review, answered from Slack!";
            await SlackAsync(SlackInteraction.Submit(fakes.Slack.Views[^1], SlackTeam, SlackUser, body));
            if ((await GetAsync($"/api/accounts/{AccountId}/apps/{app.AppId}/reviews/{reviewId}/reply")).Status != 200)
            {
                Anomalies.Add($"{host.Now:MM-dd HH:mm} the reply submitted in Slack was not written");
                return;
            }
            SlackReplies.Add(app.Plan.Key);
            // Keyed by the review's API id, as the team's replies are: a later reply of the team to the same review
            // (a probe-first row answered here under its feed id) continues this record.
            Replies[(app.Plan.Key, review.AscId)] = new ReplyRecord(review, reviewId!)
            {
                LastBody = body,
                Versions = 1,
            };
            return;
        }
        Anomalies.Add($"{host.Now:MM-dd HH:mm} no announced review without a reply to answer from Slack");
    }

    private async Task SlackAsync(string form)
    {
        var answer = await host.Http.SendAsync(HttpMethod.Post, "/api/slack/interactivity", token: null, form,
            headers: SlackInteraction.Headers(host.Configuration["Slack:SigningSecret"]!, form, host.Now));
        if (answer.Status != 200)
        {
            Anomalies.Add($"{host.Now:MM-dd HH:mm} Slack interactivity answered {answer}");
        }
    }

    /// <summary>
    /// At 17:00 an approver of the team sends the oldest waiting draft of each app whose integration is in force,
    /// edited: the reply is the approver's, and the books follow it like any reply of the team's. A draft App Store
    /// Connect cannot take (409: the review is not known there) is rejected instead.
    /// </summary>
    private async Task ApproveADraftPerAppAsync()
    {
        foreach (var app in Apps.Values.Where(a => a.RemovedAt is null && a.ActivatedAt is not null
            && a.RevokedAt is null))
        {
            var path = $"/api/accounts/{AccountId}/apps/{app.AppId}/reply-drafts";
            var drafts = (await CallAsync(HttpMethod.Get, path, null, 200)).Json.GetProperty("items");
            if (drafts.GetArrayLength() == 0)
            {
                continue;
            }
            var reviewId = drafts[0].GetProperty("reviewId").GetString()!;
            var body = drafts[0].GetProperty("body").GetString() + " We are on it.";
            var approved = await host.Http.PostAsync($"{path}/{Uri.EscapeDataString(reviewId)}/approve", Token,
                new { body });
            if (approved.Status == 409)
            {
                await CallAsync(HttpMethod.Post, $"{path}/{Uri.EscapeDataString(reviewId)}/reject", null, 204);
                RejectedDrafts++;
                continue;
            }
            if (approved.Status is not (200 or 202))
            {
                Anomalies.Add($"{host.Now:MM-dd HH:mm} {app.Plan.Name}: approving the draft of {reviewId} " +
                    $"answered {approved}");
                continue;
            }
            ApprovedDrafts[app.Plan.Key] = ApprovedDrafts.GetValueOrDefault(app.Plan.Key) + 1;
            if (plan.Reviews.FirstOrDefault(r => r.App == app.Plan && r.Is(reviewId)) is { } review)
            {
                Replies[(app.Plan.Key, review.AscId)] = new ReplyRecord(review, reviewId)
                {
                    LastBody = body,
                    Versions = 1,
                };
            }
        }
    }

    /// <summary>
    /// Each person the account emails opens the confirmation link mailed to them (at the fake SendGrid) and presses its
    /// confirm button, as people do: the page first, then the button.
    /// </summary>
    private async Task FollowConfirmationLinksAsync()
    {
        foreach (var email in fakes.SendGrid.Emails.Where(ConfirmedEmails.IsConfirmation))
        {
            var address = email.To.Single();
            if (ConfirmedAt.ContainsKey(address))
            {
                continue;
            }
            var path = new Uri(ConfirmedEmails.LinkIn(email.PlainText!)).AbsolutePath;
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post })
            {
                var response = await host.Http.SendAsync(method, path, token: null, body: null);
                if (response.Status != 200)
                {
                    Anomalies.Add($"{host.Now:MM-dd HH:mm} the confirmation link of {address} answered {response}");
                }
            }
            ConfirmedAt[address] = host.Now;
        }
        var unconfirmed = Apps.Values.SelectMany(a => a.Routes).Where(r => r.Plan.Channel == "email")
            .Select(r => r.Target).Append(OwnerEmail).Where(a => !ConfirmedAt.ContainsKey(a)).ToList();
        if (unconfirmed.Count > 0)
        {
            Anomalies.Add($"{host.Now:MM-dd HH:mm} no confirmation link reached {string.Join(", ", unconfirmed)}");
        }
    }

    private async Task<RouteState> CreateRouteAsync(AppState app, RoutePlan route, int number)
    {
        var filters = new { ratings = route.Ratings, territories = route.Territories };
        var path = $"/api/accounts/{AccountId}/apps/{app.AppId}/routes";
        string target;
        object body;
        switch (route.Channel)
        {
            case "slack":
                target = $"C{number:D10}";
                var token = $"xoxb-sim-{number}";
                fakes.Slack.AddChannel(target).AddToken(token);
                body = new { channel = "slack", target, filters, slackBotToken = token };
                break;
            case "email":
                target = $"team-{app.Plan.Key}-{number}@acme-sim.test";
                body = new { channel = "email", target, filters };
                break;
            case "zendesk":
                target = $"acme{number}";
                var (agent, apiToken) = ($"agent-{number}@acme-sim.test", $"zendesk-token-{number}");
                fakes.Zendesk.AddCredential(agent, apiToken);
                body = new { channel = "zendesk", target, filters, zendeskEmail = agent, zendeskApiToken = apiToken };
                break;
            default:
                target = $"/hooks/{app.Plan.Key}-{number}";
                body = new
                {
                    channel = "webhook", target = fakes.Webhooks.UrlFor(target), filters, replyEvents = ReplyEvents,
                };
                break;
        }
        var created = (await CallAsync(HttpMethod.Post, path, body, 201)).Json;
        if (route.Channel == "webhook")
        {
            fakes.Webhooks.SetSecret(target, created.GetProperty("signingSecret").GetString()!);
        }
        return new RouteState(route, created.GetProperty("routeId").GetString()!, target);
    }

    /// <summary>
    /// Apple shows the review (or its edit) in the public feed and, for apps of the connected team, in the API.
    /// </summary>
    private void Publish(PlannedReview review, bool edited)
    {
        if (plan.IsAndroid(review.App))
        {
            PublishOnPlay(review, edited);
            return;
        }
        var body = edited ? review.EditedBody : review.Body;
        var updated = edited ? review.EditedAt!.Value : review.CreatedAt;
        fakes.Feed.SetReviews(Territories.Storefront(review.Territory), review.App.StoreAppId,
            [new FakeFeedReview(review.FeedId, review.Rating, review.Title, body, review.Nickname, updated)]);
        if (review.App.OnAppStoreConnect)
        {
            fakes.Asc.SetReviews(review.App.StoreAppId, [new FakeCustomerReview(
                review.AscId, review.Rating, review.Title, body, review.Nickname, review.CreatedAt, review.Territory)]);
        }
    }

    private void ScheduleIntegration(AppState app)
    {
        if (app.Plan.Integration is not { } integration)
        {
            return;
        }
        var day = plan.Start.AddDays(integration.Day);
        At(day.AddHours(9).AddMinutes(random.Next(60)), () => ConfirmAsync(app, integration));
        At(day.AddHours(11).AddMinutes(random.Next(60)), () => OperatorsRegisterKeyAsync(app, integration));
        if (integration.FixedRoles is { } roles)
        {
            At(day.AddHours(15).AddMinutes(random.Next(60)), () => CustomerFixesRolesAsync(app, roles));
        }
    }

    /// <summary>Each planned app is its own App Store Connect team here: one connection per app, set up on its day.
    /// Named from the plan, not the app id: the connection outlives a removed app, and the books look for rows that
    /// still name a removed app.</summary>
    private static string TeamOf(AppState app) => $"Team {app.Plan.Key}";

    private string IntegrationPath(AppState app) =>
        $"/api/accounts/{AccountId}/connections/{ConnectionIds.For(TeamOf(app))}";

    private async Task ConfirmAsync(AppState app, IntegrationPlan integration)
    {
        if (integration.InvitedRoles is { } roles)
        {
            fakes.Asc.Invite(IntegrationEmail, roles);
        }
        await CallAsync(HttpMethod.Post, $"/api/accounts/{AccountId}/connections",
            new { team = TeamOf(app), kind = integration.Kind }, 202);
        await WaitForStatusAsync(app, "awaitingOperator");
    }

    private async Task OperatorsRegisterKeyAsync(AppState app, IntegrationPlan integration)
    {
        if (app.SetupProblem is not null)
        {
            return;
        }
        if (integration.InvitedRoles is not null)
        {
            fakes.Asc.AcceptInvitation(IntegrationEmail);
        }
        app.Key = fakes.Asc.CreateKey();
        fakes.Asc.AddAppForKey(app.Plan.StoreAppId, app.Plan.Name, app.Key.KeyId);
        await CallAsync(HttpMethod.Post, $"{IntegrationPath(app)}/credential",
            new { issuerId = app.Key.IssuerId, keyId = app.Key.KeyId, privateKey = app.Key.PrivateKeyPem }, 200,
            OperatorToken);
        if (integration.FixedRoles is null)
        {
            await WaitForActivationAsync(app);
        }
        else
        {
            await WaitForStatusAsync(app, "rolesMissing");
        }
    }

    private async Task CustomerFixesRolesAsync(AppState app, IReadOnlyList<string> roles)
    {
        if (app.SetupProblem is not null)
        {
            return;
        }
        fakes.Asc.SetUserRoles(IntegrationEmail, roles);
        await CallAsync(HttpMethod.Post, $"{IntegrationPath(app)}/roles-updated", null, 202);
        await WaitForActivationAsync(app);
    }

    /// <summary>
    /// The orchestration ends (Active) without waiting on its real-time poll timer: the events above drive it.
    /// </summary>
    private async Task WaitForActivationAsync(AppState app)
    {
        var instanceId = IntegrationSetupFunctions.InstanceIdFor(AccountId, ConnectionIds.For(TeamOf(app)));
        try
        {
            var completed = await host.WaitAsync(
                host.Durable.Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true),
                $"{SetupWait} orchestration of {app.Plan.Name}");
            var status = (await StatusAsync(app)).GetProperty("status").GetString();
            if (status != "active")
            {
                app.SetupProblem = $"setup of {app.Plan.Name} ended {completed.RuntimeStatus} " +
                    $"({completed.SerializedOutput}{completed.FailureDetails?.ErrorMessage}) with status {status}";
                return;
            }
        }
        catch (TimeoutException ex)
        {
            app.SetupProblem = ex.Message;
            return;
        }
        app.ActivatedAt = host.Now;
        if (plan.RemovalNotBefore(app.Plan) is { } notBefore)
        {
            ScheduleRemoval(app, notBefore);
        }
    }

    private async Task WaitForStatusAsync(AppState app, string expected)
    {
        var started = Stopwatch.StartNew();
        while (true)
        {
            var status = (await StatusAsync(app)).GetProperty("status").GetString();
            if (status == expected)
            {
                return;
            }
            if (started.Elapsed > SimulatedHost.WaitGuard)
            {
                app.SetupProblem = $"setup of {app.Plan.Name} stayed {status}, expected {expected}";
                return;
            }
            await host.WaitAsync(Task.Delay(50), $"{SetupWait} status of {app.Plan.Name}");
        }
    }

    /// <summary>A GET as the SPA makes it, with the customer's token.</summary>
    public Task<TestResponse> GetAsync(string path) => host.Http.GetAsync(path, Token);

    public async Task<JsonElement> StatusAsync(AppState app) =>
        (await CallAsync(HttpMethod.Get, IntegrationPath(app), null, 200)).Json;

    private void RevokeKey(AppState app)
    {
        if (app.Key is { } key)
        {
            fakes.Asc.RevokeKey(key.KeyId);
            app.RevokedAt = host.Now;
        }
    }

    /// <summary>
    /// The customer removes the app at the moment the fetch timer enqueues its hourly fetch, so the two race.
    /// </summary>
    private void ScheduleRemoval(AppState app, DateTimeOffset notBefore)
    {
        var interval = host.Services.GetRequiredService<IOptions<ReviewsOptions>>().Value.ApiInterval;
        var slot = FetchScheduler.NextSlotAfter(notBefore, interval, app.AppId);
        var fetchTimer = host.Timers.Single(t => t.Name == nameof(ReviewFetchFunctions.EnqueueDueReviewFetches));
        At(fetchTimer.NextAfter(slot.AddTicks(-1)), async () =>
        {
            app.RemovedAt = host.Now;
            await CallAsync(HttpMethod.Delete, $"/api/accounts/{AccountId}/apps/{app.AppId}", null, 204);
        }, races: true);
    }

    private async Task ReplyAsync(PlannedReplyAction action)
    {
        var app = Apps[action.Review.App.Key];
        if (app.RemovedAt is not null)
        {
            return;
        }
        var reviewId = action.Review.AscId;
        var path = $"/api/accounts/{AccountId}/apps/{app.AppId}/reviews/{reviewId}";
        if ((await host.Http.GetAsync(path, Token)).Status != 200)
        {
            Anomalies.Add($"{host.Now:MM-dd HH:mm} {app.Plan.Name}: review {reviewId} to reply to is not listed");
            return;
        }
        var response = action.Body is null
            ? await host.Http.DeleteAsync($"{path}/reply", Token)
            : await host.Http.PutAsync($"{path}/reply", Token, new { body = action.Body });
        if (response.Status is not (200 or 202))
        {
            Anomalies.Add($"{host.Now:MM-dd HH:mm} {app.Plan.Name}: reply to {reviewId} answered {response}");
            return;
        }
        if (!Replies.TryGetValue((app.Plan.Key, reviewId), out var reply))
        {
            Replies[(app.Plan.Key, reviewId)] = reply = new ReplyRecord(action.Review, reviewId);
        }
        reply.Versions++;
        reply.LastBody = action.Body;
        reply.Deleted = action.Body is null;
    }

    /// <summary>
    /// Each outbound service answers one request with 429 and <c>Retry-After: 25</c> on its own day (as Slack,
    /// Zendesk, SendGrid and App Store Connect do when rate limited; a webhook receiver may too). The work must come
    /// back through the queue after that time rather than hold a handler for it.
    /// </summary>
    private void ScheduleRateLimits()
    {
        var retryAfter = new Dictionary<string, string> { ["Retry-After"] = $"{LongRetryAfter.TotalSeconds}" };
        (string Name, FakeHttpServer Fake, InjectedFault Fault, Func<HttpRequest, bool> Match)[] limits =
        [
            ("Slack", fakes.Slack, FakeSlack.RateLimited((int)LongRetryAfter.TotalSeconds),
                r => r.Path.StartsWithSegments("/api/chat.postMessage")),
            ("Zendesk", fakes.Zendesk, FakeZendesk.TooManyRequests((int)LongRetryAfter.TotalSeconds),
                r => r.Path.StartsWithSegments("/api/v2")),
            ("SendGrid", fakes.SendGrid, FakeSendGrid.TooManyRequests((int)LongRetryAfter.TotalSeconds),
                r => r.Path.StartsWithSegments("/v3/mail/send")),
            ("webhook receiver", fakes.Webhooks, new InjectedFault(429, Headers: retryAfter),
                r => r.Path.StartsWithSegments("/hooks")),
            ("App Store Connect", fakes.Asc, new InjectedFault(429, FakeAppStoreConnect.RateLimitBody, retryAfter),
                r => r.Path.Value!.Contains("/customerReviews", StringComparison.Ordinal)),
        ];
        for (var i = 0; i < limits.Length; i++)
        {
            var (name, fake, fault, match) = limits[i];
            var day = 12 + i;
            if (day < plan.Options.Days)
            {
                RateLimits.Add($"{name} on day {day}");
                At(plan.Start.AddDays(day).AddHours(8), () => fake.Fail(fault, match: match));
            }
        }
    }

    private void Progress(int day, Stopwatch stopwatch)
    {
        var counters = host.Counters;
        output($"day {day,2} ({host.Now:yyyy-MM-dd}) after {stopwatch.Elapsed.TotalSeconds,6:F1} s: " +
               $"{counters.Invocations.Values.Sum()} invocations, {counters.Failures.Values.Sum()} failed, " +
               $"{host.Queues.Pending} messages waiting, {host.Queues.HostPoisoned.Count} poisoned by the host, " +
               $"{host.Log.Errors} errors logged");
    }

    private async Task<TestResponse> CallAsync(
        HttpMethod method, string path, object? body, int expected, string? token = null)
    {
        var response = await host.Http.SendAsync(method, path, token ?? Token, body);
        return response.Status == expected
            ? response
            : throw new InvalidOperationException(
                $"{method} {path} answered {response.Status}, expected {expected}: {response}");
    }
}
