using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using ReviewHub.Accounts;
using ReviewHub.Apps;
using ReviewHub.Http;
using ReviewHub.Security;
using ReviewHub.Storage;

namespace ReviewHub.Delivery;

/// <summary>The SPA's notification routes of an app: list, create, update, delete, and send a test message.</summary>
internal sealed class RouteFunctions(
    AppStore apps, RouteStore routes, RouteDeliverer deliverer, EmailConfirmationStore confirmations,
    RateLimiter limiter, IOptions<DeliveryOptions> options, IOptions<AccountLimitsOptions> limits)
{
    private const string RoutesPath = "accounts/{accountId}/apps/{appId}/routes";

    [Function(nameof(ListRoutes))]
    public async Task<IActionResult> ListRoutes(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutesPath)] HttpRequest req,
        string accountId, string appId, CancellationToken cancellationToken)
    {
        var access = await apps.AccessAsync(Caller.From(req), accountId, appId, AccountPermission.Read,
            cancellationToken);
        if (!access.TryGet(out _, out var denied))
        {
            return denied;
        }
        var list = await routes.ListAsync(appId, cancellationToken);
        return new OkObjectResult(new { items = list.OrderBy(r => r.CreatedAt).Select(r => RouteResponse.From(r)) });
    }

    [Function(nameof(CreateRoute))]
    public async Task<IActionResult> CreateRoute(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutesPath)] HttpRequest req,
        string accountId, string appId, CancellationToken cancellationToken)
    {
        var access = await apps.AccessAsync(Caller.From(req), accountId, appId, AccountPermission.Read,
            cancellationToken);
        if (!access.TryGet(out var app, out var denied))
        {
            return denied;
        }
        var read = await JsonRequest.ReadAsync<CreateRouteRequest>(req, cancellationToken);
        if (!read.TryGet(out var request, out var invalid))
        {
            return invalid;
        }
        var channel = Enum.Parse<DeliveryChannel>(request.Channel!, ignoreCase: true);
        if (WebhookPolicyProblem(channel, request.Target) is { } problem)
        {
            return problem;
        }
        if (await RouteLimitProblemAsync(appId, cancellationToken) is { } full)
        {
            return full;
        }
        var (route, signingSecret) = await routes.CreateAsync(accountId, appId, channel, request, cancellationToken);
        await RequestConfirmationsAsync(route, cancellationToken);
        return new CreatedResult($"/api/{RoutePath(accountId, appId, route.RouteId)}",
            RouteResponse.From(route, signingSecret));
    }

    private async Task<ObjectResult?> RouteLimitProblemAsync(string appId, CancellationToken cancellationToken)
    {
        var max = limits.Value.RoutesPerApp;
        return (await routes.ListAsync(appId, cancellationToken)).Count >= max
            ? AccountLimitsOptions.Exceeded(
                nameof(AccountLimitsOptions.RoutesPerApp), max, $"An app has at most {max} routes.")
            : null;
    }

    [Function(nameof(UpdateRoute))]
    public async Task<IActionResult> UpdateRoute(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = RoutesPath + "/{routeId}")] HttpRequest req,
        string accountId, string appId, string routeId, CancellationToken cancellationToken)
    {
        var found = await FindAsync(req, accountId, appId, routeId, cancellationToken);
        if (!found.TryGet(out var appRoute, out var missing))
        {
            return missing;
        }
        var route = appRoute.Route;
        var read = await JsonRequest.ReadAsync<UpdateRouteRequest>(req, cancellationToken);
        if (!read.TryGet(out var request, out var invalid))
        {
            return invalid;
        }
        if (UpdateProblem(route, request) is { } problem)
        {
            return problem;
        }
        var (updated, signingSecret) = await routes.UpdateAsync(route, request, cancellationToken);
        if (updated is not null && request.Target is not null)
        {
            await RequestConfirmationsAsync(updated, cancellationToken);
        }
        return updated is null
            ? Problems.NotFound("No such route.") : new OkObjectResult(RouteResponse.From(updated, signingSecret));
    }

    /// <summary>Why the change cannot be applied to this route (its channel's fields, the webhook address policy), or
    /// null.</summary>
    private IActionResult? UpdateProblem(RouteEntity route, UpdateRouteRequest request) =>
        request.ValidateFor(route.ChannelValue) is { IsEmpty: false } errors
            ? Problems.Validation(errors)
            : WebhookPolicyProblem(route.ChannelValue, request.Target);

    [Function(nameof(DeleteRoute))]
    public async Task<IActionResult> DeleteRoute(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = RoutesPath + "/{routeId}")] HttpRequest req,
        string accountId, string appId, string routeId, CancellationToken cancellationToken)
    {
        if (!(await FindAsync(req, accountId, appId, routeId, cancellationToken)).TryGet(out _, out var missing))
        {
            return missing;
        }
        return await routes.DeleteAsync(appId, routeId, cancellationToken)
            ? new NoContentResult() : Problems.NotFound("No such route.");
    }

    /// <summary>
    /// Sends a sample review through the route now and reports what the channel said (502 with the reason when it
    /// refused). Rate-limited per route and per account (429 with Retry-After); an email route sends only to confirmed
    /// recipients.
    /// </summary>
    [Function(nameof(SendRouteTestMessage))]
    public async Task<IActionResult> SendRouteTestMessage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutesPath + "/{routeId}/test")] HttpRequest req,
        string accountId, string appId, string routeId, CancellationToken cancellationToken)
    {
        var found = await FindAsync(req, accountId, appId, routeId, cancellationToken);
        if (!found.TryGet(out var appRoute, out var missing))
        {
            return missing;
        }
        var (app, route) = appRoute;
        if (await TestMessageRefusalAsync(req, route, cancellationToken) is { } refused)
        {
            return refused;
        }
        try
        {
            return new OkObjectResult(new TestMessageResponse(true,
                await deliverer.SendTestAsync(route, app, cancellationToken)));
        }
        catch (ChannelException ex)
        {
            var hint = ex.RouteBroken ? " Check the route's credentials and target." : " Try again later.";
            return Problems.Create(StatusCodes.Status502BadGateway, "The channel did not accept the test message.",
                ex.Message + hint);
        }
    }

    /// <summary>
    /// Why no test message goes out now: an email route without a confirmed recipient (409), or the per-route and
    /// per-account test-message limits (429 with Retry-After); null when it may.
    /// </summary>
    private async Task<IActionResult?> TestMessageRefusalAsync(
        HttpRequest req, RouteEntity route, CancellationToken cancellationToken)
    {
        if (route.ChannelValue == DeliveryChannel.Email
            && (await confirmations.ConfirmedAsync(route.AccountId, route.Recipients, cancellationToken)).Count == 0)
        {
            return Problems.Conflict(
                "No recipient of this route has confirmed the address yet: each got a link by email.",
                UnconfirmedRecipientsType);
        }
        var settings = options.Value;
        var decision = await limiter.TryAcquireAllAsync(route.AccountId,
            [
                (RouteStore.TestMessagesKey(route.RouteId), settings.TestMessagesPerRoute),
                ("route-test", settings.TestMessagesPerAccount),
            ],
            settings.TestMessageWindow, cancellationToken);
        return decision.Allowed
            ? null
            : Problems.TooManyRequests(req.HttpContext, decision.RetryAfter,
                $"At most {settings.TestMessagesPerRoute} test messages per route and " +
                $"{settings.TestMessagesPerAccount} per account " +
                $"every {settings.TestMessageWindow:g}.");
    }

    /// <summary>409 type when an email route has no confirmed recipient yet.</summary>
    public const string UnconfirmedRecipientsType = "https://reviewhub.app/problems/recipients-unconfirmed";

    /// <summary>Email recipients get a confirmation link; nothing else reaches them until they follow it.</summary>
    private Task RequestConfirmationsAsync(RouteEntity route, CancellationToken cancellationToken) =>
        route.ChannelValue == DeliveryChannel.Email
            ? confirmations.RequestAsync(route.AccountId, route.Recipients, cancellationToken)
            : Task.CompletedTask;

    /// <summary>
    /// The app and its route, which any member may change or test, else the answer: the app's 404 for a non-member or
    /// an unknown app (<see cref="AppStore.AccessAsync"/>), 404 for an unknown route.
    /// </summary>
    private async Task<Checked<AppRoute>> FindAsync(HttpRequest req, string accountId, string appId, string routeId,
        CancellationToken cancellationToken)
    {
        var access = await apps.AccessAsync(Caller.From(req), accountId, appId, AccountPermission.Read,
            cancellationToken);
        if (!access.TryGet(out var app, out var denied))
        {
            return Checked.Failed<AppRoute>(denied);
        }
        return await routes.GetAsync(appId, routeId, cancellationToken) is { } route
            ? Checked.Passed(new AppRoute(app, route))
            : Checked.Failed<AppRoute>(Problems.NotFound("No such route."));
    }

    /// <summary>A route with the app it belongs to.</summary>
    private sealed record AppRoute(AppEntity App, RouteEntity Route);

    private IActionResult? WebhookPolicyProblem(DeliveryChannel channel, string? target)
    {
        if (channel != DeliveryChannel.Webhook || target is null)
        {
            return null;
        }
        var errors = new ValidationErrors();
        RouteRules.ValidateWebhookPolicy(target, options.Value.AllowInsecureWebhooks, errors);
        return errors.IsEmpty ? null : Problems.Validation(errors);
    }

    private static string RoutePath(string accountId, string appId, string routeId) =>
        $"accounts/{accountId}/apps/{appId}/routes/{routeId}";
}
