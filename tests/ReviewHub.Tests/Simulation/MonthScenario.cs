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

namespace ReviewHub.Tests.Simulation;

/// <summary>The fake services of the month, all on the simulated clock.</summary>
public sealed class SimulationFakes : IAsyncDisposable
{
    public FakeReviewFeed Feed { get; } = new();
    public FakeAppStoreConnect Asc { get; } = new();
    public FakeSlack Slack { get; } = new();
    public FakeSendGrid SendGrid { get; } = new();
    public FakeZendesk Zendesk { get; } = new();
    public FakeWebhookReceiver Webhooks { get; } = new();

    private IEnumerable<FakeHttpServer> All => [Feed, Asc, Slack, SendGrid, Zendesk, Webhooks];

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
public sealed record RouteState(RoutePlan Plan, string RouteId, string Target);

/// <summary>An app during the month: its id, routes, key, and when it was activated, revoked or removed.</summary>
public sealed class AppState(AppPlan plan)
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
public sealed class ReplyRecord(PlannedReview review, string reviewId)
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
/// three apps are connected to App Store Connect through the real setup orchestration; the team replies; a key is
/// revoked; an app is removed while its hourly fetch runs. Customer and operator actions go through the HTTP functions.
/// </summary>
public sealed class MonthScenario(MonthPlan plan, SimulatedHost host, SimulationFakes fakes, Action<string> output)
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
        foreach (var action in plan.ReplyActions)
        {
            At(action.At, () => ReplyAsync(action));
        }
        for (var day = 1; day <= plan.Options.Days; day++)
        {
            var number = day;
            At(plan.Start.AddDays(day), () => Progress(number, stopwatch));
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
        foreach (var app in Apps.Values)
        {
            var registered = await CallAsync(HttpMethod.Post, $"/api/accounts/{AccountId}/apps", new
            {
                storeAppId = app.Plan.StoreAppId,
                platform = app.Plan.Platform,
                name = app.Plan.Name,
                territories = app.Plan.Territories,
            }, 201);
            app.AppId = registered.As<AppResponse>().AppId;
            foreach (var route in app.Plan.Routes)
            {
                app.Routes.Add(await CreateRouteAsync(app, route, ++routeNumber));
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
                body = new { channel = "webhook", target = fakes.Webhooks.UrlFor(target), filters };
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
        var body = edited ? review.EditedBody : review.Body;
        var updated = edited ? review.EditedAt!.Value : review.CreatedAt;
        fakes.Feed.SetReviews(Territories.Storefront(review.Territory), review.App.StoreAppId,
            [new FakeFeedReview(review.FeedId, review.Rating, review.Title, body, review.Nickname, updated)]);
        if (review.App.Integration is not null)
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

    private string IntegrationPath(AppState app) => $"/api/accounts/{AccountId}/apps/{app.AppId}/integration";

    private async Task ConfirmAsync(AppState app, IntegrationPlan integration)
    {
        if (integration.InvitedRoles is { } roles)
        {
            fakes.Asc.Invite(IntegrationEmail, roles);
        }
        await CallAsync(HttpMethod.Post, $"{IntegrationPath(app)}/confirm", new { kind = integration.Kind }, 202);
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
        var instanceId = IntegrationSetupOrchestration.InstanceIdFor(AccountId, app.AppId);
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
        (await CallAsync(HttpMethod.Get, $"{IntegrationPath(app)}/status", null, 200)).Json;

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
