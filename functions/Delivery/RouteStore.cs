using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using ReviewHub.Apps;
using ReviewHub.Json;
using ReviewHub.Secrets;
using ReviewHub.Storage;

namespace ReviewHub.Delivery;

/// <summary>Routes of an app and their secrets. Secrets go to the secret store first, so a row never points at a
/// missing secret.</summary>
internal sealed class RouteStore(
    TableServiceClient tables, ISecretStore secrets, RateLimiter limiter, TimeProvider clock)
    : IAppDataPurger
{
    private readonly TableClient routes = tables.GetTableClient(DeliveryTables.DeliveryRoutes);

    public async Task<IReadOnlyList<RouteEntity>> ListAsync(string appId, CancellationToken cancellationToken)
    {
        var list = new List<RouteEntity>();
        await foreach (var route in routes.QueryRowsAsync<RouteEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {appId}"), cancellationToken: cancellationToken))
        {
            list.Add(route);
        }
        return list;
    }

    public async Task<RouteEntity?> GetAsync(string appId, string routeId, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(routeId))
        {
            return null;
        }
        return await routes.FindAsync<RouteEntity>(appId, routeId, cancellationToken);
    }

    /// <summary>Creates the route; for a webhook also returns its new signing secret (shown to the customer
    /// once).</summary>
    public async Task<(RouteEntity Route, string? SigningSecret)> CreateAsync(
        string accountId, string appId, DeliveryChannel channel, CreateRouteRequest request,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var route = new RouteEntity
        {
            PartitionKey = appId,
            RowKey = Ids.New(),
            AccountId = accountId,
            Channel = channel.ToString(),
            Name = request.Name?.Trim(),
            Target = RouteRules.NormaliseTarget(channel, request.Target!),
            Ratings = RouteRules.JoinRatings(request.Filters?.Ratings),
            Territories = RouteRules.JoinTerritories(request.Filters?.Territories),
            Enabled = request.Enabled ?? true,
            ReplyEvents = RouteRules.JoinReplyEvents(request.ReplyEvents),
            CreatedAt = now,
            UpdatedAt = now,
        };
        var signingSecret = channel == DeliveryChannel.Webhook ? NewSigningSecret() : null;
        route.SecretReference = await StoreSecretAsync(route, SecretValue(channel, request.Credentials, signingSecret),
            cancellationToken);
        await routes.AddEntityAsync(route, cancellationToken);
        return (route, signingSecret);
    }

    /// <summary>Applies an update; new credentials or a new target clear a broken status. Null when the route is
    /// gone.</summary>
    public async Task<(RouteEntity? Route, string? SigningSecret)> UpdateAsync(RouteEntity current,
        UpdateRouteRequest request, CancellationToken cancellationToken)
    {
        var channel = current.ChannelValue;
        string? signingSecret = null;
        if (request.ChangesCredentials || request.RotateSigningSecret == true)
        {
            signingSecret = channel == DeliveryChannel.Webhook && request.RotateSigningSecret == true
                ? NewSigningSecret() : null;
            var value = SecretValue(channel,
                await MergeCredentialsAsync(current, request.Credentials, cancellationToken), signingSecret);
            if (value is not null)
            {
                await StoreSecretAsync(current, value, cancellationToken);
            }
        }
        var reference = SecretNames.For("route", current.AppId, current.RouteId);
        var updated = await routes.UpdateAsync<RouteEntity>(current.AppId, current.RouteId, route =>
        {
            route.Name = request.Name?.Trim() ?? route.Name;
            route.Target = request.Target is null ? route.Target : RouteRules.NormaliseTarget(channel, request.Target);
            if (request.Filters is not null)
            {
                route.Ratings = RouteRules.JoinRatings(request.Filters.Ratings);
                route.Territories = RouteRules.JoinTerritories(request.Filters.Territories);
            }
            route.Enabled = request.Enabled ?? route.Enabled;
            route.ReplyEvents = request.ReplyEvents is null
                ? route.ReplyEvents
                : RouteRules.JoinReplyEvents(request.ReplyEvents);
            if (request.ChangesCredentials || signingSecret is not null)
            {
                route.SecretReference = reference;
            }
            if (request.ChangesCredentials || request.Target is not null || signingSecret is not null)
            {
                route.Status = nameof(RouteStatus.Active);
                route.BrokenReason = null;
                route.BrokenAt = null;
                route.OwnerNotifiedAt = null;
            }
            route.UpdatedAt = clock.GetUtcNow();
            return true;
        }, cancellationToken);
        return (updated, signingSecret);
    }

    public async Task<bool> DeleteAsync(string appId, string routeId, CancellationToken cancellationToken)
    {
        var route = await GetAsync(appId, routeId, cancellationToken);
        if (route is null)
        {
            return false;
        }
        await DeleteRouteAsync(route, cancellationToken);
        return true;
    }

    /// <summary>
    /// Marks the route broken with a reason. Returns true for the one caller that made the transition (and so tells the
    /// owner), false when it was already broken or is gone.
    /// </summary>
    public async Task<bool> MarkBrokenAsync(string appId, string routeId, string reason,
        CancellationToken cancellationToken)
    {
        var transitioned = false;
        await routes.UpdateAsync<RouteEntity>(appId, routeId, route =>
        {
            transitioned = !route.IsBroken;
            if (!transitioned)
            {
                return false;
            }
            route.Status = nameof(RouteStatus.Broken);
            route.BrokenReason = reason;
            route.BrokenAt = clock.GetUtcNow();
            route.OwnerNotifiedAt = route.BrokenAt;
            return true;
        }, cancellationToken);
        return transitioned;
    }

    public async Task<string?> GetSecretAsync(RouteEntity route, CancellationToken cancellationToken) =>
        route.SecretReference is null ? null : await secrets.GetAsync(route.SecretReference, cancellationToken);

    public async Task<ZendeskCredential?> GetZendeskCredentialAsync(RouteEntity route,
        CancellationToken cancellationToken) =>
        await GetSecretAsync(route, cancellationToken) is { } json
            ? JsonSerializer.Deserialize<ZendeskCredential>(json, ReviewHubJson.Options) : null;

    public async Task PurgeAsync(string accountId, string appId, CancellationToken cancellationToken)
    {
        foreach (var route in await ListAsync(appId, cancellationToken))
        {
            await DeleteRouteAsync(route, cancellationToken);
        }
    }

    /// <summary>The <see cref="RateLimiter"/> key of a route's test messages (in its account's partition).</summary>
    public static string TestMessagesKey(string routeId) => $"route-test|{routeId}";

    private async Task DeleteRouteAsync(RouteEntity route, CancellationToken cancellationToken)
    {
        try
        {
            await routes.DeleteEntityAsync(route.AppId, route.RouteId, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Deleted concurrently.
        }
        if (route.SecretReference is not null)
        {
            await secrets.DeleteAsync(route.SecretReference, cancellationToken);
        }
        await limiter.ForgetAsync(route.AccountId, TestMessagesKey(route.RouteId), cancellationToken);
    }

    private async Task<RouteCredentials> MergeCredentialsAsync(RouteEntity route, RouteCredentials changes,
        CancellationToken cancellationToken)
    {
        if (route.ChannelValue != DeliveryChannel.Zendesk
            || (changes.ZendeskEmail is not null && changes.ZendeskApiToken is not null))
        {
            return changes;
        }
        // A Zendesk update may change only the email or only the token: keep the other half.
        var stored = await GetZendeskCredentialAsync(route, cancellationToken);
        return changes with { ZendeskEmail = changes.ZendeskEmail ?? stored?.Email,
            ZendeskApiToken = changes.ZendeskApiToken ?? stored?.ApiToken };
    }

    private async Task<string?> StoreSecretAsync(RouteEntity route, string? value,
        CancellationToken cancellationToken) =>
        value is null
            ? null : await secrets.SetAsync(SecretNames.For("route", route.AppId, route.RouteId), value,
            cancellationToken);

    private static string? SecretValue(DeliveryChannel channel, RouteCredentials credentials, string? signingSecret) =>
        channel switch
    {
        DeliveryChannel.Slack => credentials.SlackBotToken,
        DeliveryChannel.Zendesk when credentials is { ZendeskEmail: { } email, ZendeskApiToken: { } token } =>
            JsonSerializer.Serialize(new ZendeskCredential(email.Trim(), token), ReviewHubJson.Options),
        DeliveryChannel.Webhook => signingSecret,
        _ => null,
    };

    /// <summary>Standard Webhooks secret: "whsec_" + base64 of 32 random bytes; the HMAC key is the decoded
    /// bytes.</summary>
    public static string NewSigningSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
