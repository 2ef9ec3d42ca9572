using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.Accounts;
using ReviewHub.Http;
using ReviewHub.Security;
using ReviewHub.Storage;

namespace ReviewHub.Integrations;

/// <summary>
/// The SPA's connection endpoints (card, "I've invited", team key, status, apps, "I've updated the roles", cancel,
/// "I fixed it", disconnect) and the operators' key registration. One connection per account and App Store Connect
/// team covers every app of the team; the setup itself runs in <see cref="IntegrationSetupFunctions"/>.
/// </summary>
internal sealed class IntegrationFunctions(
    AccountStore accounts,
    IntegrationStore store,
    ConnectionAppStore links,
    ConnectionAppRegistration registration,
    ConnectionSetup setup,
    IntegrationDisconnection disconnection,
    IntegrationHealthCheck healthCheck,
    IntegrationEventLog events,
    IMessageQueue queue,
    IOptions<IntegrationOptions> options,
    TimeProvider clock,
    ILogger<IntegrationFunctions> logger)
{
    private const string Connections = "accounts/{accountId}/connections";
    private const string Route = Connections + "/{connectionId}";

    [Function(nameof(GetConnectionCard))]
    public async Task<IActionResult> GetConnectionCard(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "accounts/{accountId}/connection-card")]
        HttpRequest req, string accountId, CancellationToken cancellationToken) =>
        (await accounts.AccessAsync(Caller.From(req), accountId, cancellationToken)).TryGet(out _, out var denied)
            ? new OkObjectResult(IntegrationResponses.Card(options.Value, accountId))
            : denied;

    [Function(nameof(ListConnections))]
    public async Task<IActionResult> ListConnections(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Connections)] HttpRequest req,
        string accountId, CancellationToken cancellationToken)
    {
        if (!(await accounts.AccessAsync(Caller.From(req), accountId, cancellationToken)).TryGet(out _, out var denied))
        {
            return denied;
        }
        var rows = await store.ListAsync(accountId, cancellationToken);
        return new OkObjectResult(new ConnectionsResponse(
            rows.Select(r => IntegrationResponses.Status(r, options.Value, accountId)).ToList()));
    }

    [Function(nameof(GetConnectionStatus))]
    public async Task<IActionResult> GetConnectionStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequest req,
        string accountId, string connectionId, CancellationToken cancellationToken) =>
        (await FindAsync(req, accountId, connectionId, cancellationToken)).TryGet(out var row, out var problem)
            ? new OkObjectResult(IntegrationResponses.Status(row, options.Value, accountId))
            : problem;

    /// <summary>"I've invited", once for the whole team (<see cref="ConnectionSetup.ConfirmAsync"/>).</summary>
    [Function(nameof(ConfirmConnection))]
    public async Task<IActionResult> ConfirmConnection(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Connections)] HttpRequest req,
        string accountId, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        if (!(await accounts.AccessAsync(Caller.From(req), accountId, cancellationToken)).TryGet(out _, out var denied))
        {
            return denied;
        }
        var read = await JsonRequest.ReadAsync<ConfirmIntegrationRequest>(req, cancellationToken);
        if (!read.TryGet(out var request, out var invalid))
        {
            return invalid;
        }
        return Begun(await setup.ConfirmAsync(accountId, request, client, cancellationToken), accountId);
    }

    /// <summary>Connects without operators, with the customer's team key
    /// (<see cref="ConnectionSetup.ConnectWithTeamKeyAsync"/>).</summary>
    [Function(nameof(ConnectWithTeamKey))]
    public async Task<IActionResult> ConnectWithTeamKey(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Connections + "/team-key")] HttpRequest req,
        string accountId, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        if (!(await accounts.AccessAsync(Caller.From(req), accountId, cancellationToken)).TryGet(out _, out var denied))
        {
            return denied;
        }
        var read = await JsonRequest.ReadAsync<TeamKeyRequest>(req, cancellationToken);
        if (!read.TryGet(out var request, out var invalid))
        {
            return invalid;
        }
        return Begun(await setup.ConnectWithTeamKeyAsync(accountId, request, client, cancellationToken), accountId);
    }

    /// <summary>The apps the connection's key sees, each with the registered apps linked to it.</summary>
    [Function(nameof(ListConnectionApps))]
    public async Task<IActionResult> ListConnectionApps(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route + "/apps")] HttpRequest req,
        string accountId, string connectionId, CancellationToken cancellationToken)
    {
        if (!(await FindAsync(req, accountId, connectionId, cancellationToken))
            .TryGet(out var row, out var missing))
        {
            return missing;
        }
        var catalogue = await links.CatalogueAsync(accountId, connectionId, cancellationToken);
        return new OkObjectResult(new ConnectionAppsResponse(row.AppsListedAt,
            catalogue.Select(ConnectionAppView.From).ToList()));
    }

    /// <summary>Registers the apps the connection found that the account has not registered, in one call.</summary>
    [Function(nameof(RegisterConnectionApps))]
    public async Task<IActionResult> RegisterConnectionApps(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route + "/apps")] HttpRequest req,
        string accountId, string connectionId, CancellationToken cancellationToken)
    {
        if (!(await FindAsync(req, accountId, connectionId, cancellationToken))
            .TryGet(out var row, out var missing))
        {
            return missing;
        }
        var read = await JsonRequest.ReadAsync<RegisterConnectionAppsRequest>(req, cancellationToken);
        if (!read.TryGet(out var request, out var invalid))
        {
            return invalid;
        }
        var (problem, catalogue) = await registration.RegisterAsync(row, request, cancellationToken);
        return problem ?? new OkObjectResult(new ConnectionAppsResponse(row.AppsListedAt,
            catalogue.Select(ConnectionAppView.From).ToList()));
    }

    /// <summary>"I've updated the roles": re-checks at once instead of at the next poll.</summary>
    [Function(nameof(NotifyConnectionRolesUpdated))]
    public async Task<IActionResult> NotifyConnectionRolesUpdated(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route + "/roles-updated")] HttpRequest req,
        string accountId, string connectionId, [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        if (!(await FindAsync(req, accountId, connectionId, cancellationToken))
            .TryGet(out var found, out var missing))
        {
            return missing;
        }
        if (found is not { IsInProgress: true } row)
        {
            return Problems.Conflict("No connection setup is in progress.");
        }
        await client.RaiseEventAsync(row.InstanceId!, RolesUpdatedEvent.Name,
            new RolesUpdatedEvent(Caller.From(req).UserId, clock.GetUtcNow()), cancellationToken);
        return new AcceptedResult(StatusLocation(accountId, connectionId),
            IntegrationResponses.Status(row, options.Value, accountId));
    }

    [Function(nameof(CancelConnection))]
    public async Task<IActionResult> CancelConnection(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route + "/cancel")] HttpRequest req,
        string accountId, string connectionId, [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        if (!(await FindAsync(req, accountId, connectionId, cancellationToken))
            .TryGet(out var found, out var missing))
        {
            return missing;
        }
        var row = await store.CancelAsync(accountId, connectionId, cancellationToken);
        if (row is null)
        {
            return Problems.Conflict(found.StatusValue == IntegrationStatus.Activating
                ? "The connection is verified and being activated; it can no longer be cancelled."
                : "No connection setup is in progress.");
        }
        // The row is already Cancelled (the SPA sees it at once); the event ends the orchestration and cancels its
        // timer.
        await client.RaiseEventAsync(row.InstanceId!, CancelSetupEvent.Name,
            new CancelSetupEvent(SetupStopReason.Cancelled, Caller.From(req).UserId), cancellationToken);
        logger.LogInformation("Connection setup {AccountId}/{ConnectionId} cancelled", accountId, connectionId);
        return new OkObjectResult(IntegrationResponses.Status(row, options.Value, accountId));
    }

    /// <summary>
    /// Disconnect: ReviewHub stops using the key and deletes it; every app of the connection goes back to the public
    /// feed. The account owner only (it takes every app of the team off the API, like the owner's other account-wide
    /// changes); 403 for other members, with nothing changed. Idempotent: 200 with the status every time.
    /// </summary>
    [Function(nameof(DisconnectConnection))]
    public async Task<IActionResult> DisconnectConnection(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Route)] HttpRequest req,
        string accountId, string connectionId, [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(req);
        if (!(await FindAsync(req, accountId, connectionId, cancellationToken))
            .TryGet(out _, out var missing))
        {
            return missing;
        }
        if ((await accounts.GetAsync(accountId, cancellationToken))?.OwnerUserId != caller.UserId)
        {
            logger.LogInformation("Disconnect of {AccountId}/{ConnectionId} refused for {UserId}: not the owner",
                accountId, connectionId, caller.UserId);
            return Problems.Forbidden("Only the owner of the account can disconnect an App Store Connect team.");
        }
        var row = await disconnection.DisconnectAsync(
            accountId, connectionId, caller.UserId, client, cancellationToken);
        return new OkObjectResult(IntegrationResponses.Status(row!, options.Value, accountId));
    }

    /// <summary>
    /// "I fixed it": checks a degraded connection at once (as the daily check does) and answers with the status; back
    /// to active when App Store Connect takes it again. 409 when no connection is in force.
    /// </summary>
    [Function(nameof(ReportConnectionFixed))]
    public async Task<IActionResult> ReportConnectionFixed(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route + "/fixed")] HttpRequest req,
        string accountId, string connectionId, CancellationToken cancellationToken)
    {
        if (!(await FindAsync(req, accountId, connectionId, cancellationToken))
            .TryGet(out var found, out var missing))
        {
            return missing;
        }
        if (found is not { IsActive: true })
        {
            return Problems.Conflict("This App Store Connect connection is not in force.");
        }
        if (await healthCheck.CheckAsync(accountId, connectionId, cancellationToken) == HealthCheckOutcome.Undecided)
        {
            // App Store Connect did not answer: the queue tries again shortly, the status shows the last finding.
            await queue.SendAsync(IntegrationQueues.IntegrationHealthChecks,
                new IntegrationHealthCheckRequest(accountId, connectionId), TimeSpan.FromMinutes(5), cancellationToken);
        }
        var row = await store.GetConnectionAsync(accountId, connectionId, cancellationToken);
        return new OkObjectResult(IntegrationResponses.Status(row!, options.Value, accountId));
    }

    /// <summary>The connection's audit trail after setup (degraded, recovered, disconnected), newest first.</summary>
    [Function(nameof(GetConnectionEvents))]
    public async Task<IActionResult> GetConnectionEvents(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route + "/events")] HttpRequest req,
        string accountId, string connectionId, CancellationToken cancellationToken)
    {
        if (!(await FindAsync(req, accountId, connectionId, cancellationToken))
            .TryGet(out _, out var missing))
        {
            return missing;
        }
        var items = await events.ReadAsync(accountId, connectionId, cancellationToken);
        return new OkObjectResult(new IntegrationEventsResponse(items.Select(IntegrationEventView.From).ToList()));
    }

    /// <summary>Operators: the integration user accepted the invitation; store its API key in the vault and resume the
    /// setup.</summary>
    [OperatorOnly]
    [Function(nameof(RegisterConnectionCredential))]
    public async Task<IActionResult> RegisterConnectionCredential(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route + "/credential")] HttpRequest req,
        string accountId, string connectionId, [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        // Operators are not members of customer accounts: the connection is looked up directly.
        var existing = Ids.IsValid(accountId) && Ids.IsValid(connectionId)
            ? await store.GetConnectionAsync(accountId, connectionId, cancellationToken)
            : null;
        if (existing is null)
        {
            return Problems.NotFound("No such connection: the customer has not confirmed an invitation for it.");
        }
        var read = await JsonRequest.ReadAsync<RegisterCredentialRequest>(req, cancellationToken);
        if (!read.TryGet(out var request, out var invalid))
        {
            return invalid;
        }
        await setup.RegisterKeyAsync(existing, request.ToCredential(), ConnectionMethod.Invitation, client,
            cancellationToken);
        var row = await store.GetConnectionAsync(accountId, connectionId, cancellationToken);
        return new OkObjectResult(IntegrationResponses.Status(row!, options.Value, accountId));
    }

    /// <summary>The connection when it exists in an account of the caller; else 404, never saying which of the two
    /// is missing.</summary>
    private async Task<Checked<IntegrationEntity>> FindAsync(
        HttpRequest req, string accountId, string connectionId, CancellationToken cancellationToken) =>
        Ids.IsValid(connectionId)
        && (await accounts.AccessAsync(Caller.From(req), accountId, cancellationToken)).TryGet(out _, out _)
        && await store.GetConnectionAsync(accountId, connectionId, cancellationToken) is { } row
            ? Checked.Passed(row)
            : Checked.Failed<IntegrationEntity>(Problems.NotFound("No such connection."));

    /// <summary>202 with the status of the setup that began (or was found running), or the problem.</summary>
    private IActionResult Begun(Checked<IntegrationEntity> begun, string accountId) =>
        begun.TryGet(out var row, out var problem)
            ? new AcceptedResult(StatusLocation(accountId, row.ConnectionId),
                IntegrationResponses.Status(row, options.Value, accountId))
            : problem;

    private static string StatusLocation(string accountId, string connectionId) =>
        $"/api/accounts/{accountId}/connections/{connectionId}";
}
