using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.Accounts;
using ReviewHub.Apps;
using ReviewHub.Http;
using ReviewHub.Integrations;
using ReviewHub.Security;
using ReviewHub.Storage;

namespace ReviewHub.GooglePlay;

/// <summary>
/// The account's Google Play connection: its card and status, "I've invited", "I fixed it", the audit trail,
/// disconnect (the owner only), and the operators' provisioning of the account's service account. The verification
/// runs in <see cref="PlayConnectionVerificationOrchestrator"/>.
/// </summary>
internal sealed class PlayConnectionFunctions(
    AccountStore accounts,
    AppStore apps,
    PlayConnectionStore store,
    GooglePlayServiceAccounts serviceAccounts,
    PlayVerificationLauncher launcher,
    PlayConnectionHealth health,
    IntegrationEventLog events,
    WorkingDayCalendar calendar,
    IMessageQueue queue,
    IOptions<GooglePlayOptions> options,
    TimeProvider clock,
    ILogger<PlayConnectionFunctions> logger)
{
    private const string Route = "accounts/{accountId}/google-play/connection";

    /// <summary>The card and the status; before anything happened, the operators' wait for a service account.
    /// </summary>
    [Function(nameof(GetPlayConnection))]
    public async Task<IActionResult> GetPlayConnection(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequest req, string accountId,
        CancellationToken cancellationToken)
    {
        if (!(await accounts.AccessAsync(Caller.From(req), accountId, cancellationToken)).TryGet(out _, out var denied))
        {
            return denied;
        }
        var row = await store.GetAsync(accountId, cancellationToken)
            ?? new PlayConnectionEntity { PartitionKey = accountId, RowKey = PlayConnectionEntity.RowKeyValue };
        return new OkObjectResult(PlayConnectionResponse.From(row));
    }

    /// <summary>"I've invited": starts (or finds) the verification; 409 before operators provisioned the service
    /// account, without an Android app to verify with, or when the connection is in force.</summary>
    [Function(nameof(ConfirmPlayInvitation))]
    public async Task<IActionResult> ConfirmPlayInvitation(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route + "/invited")] HttpRequest req,
        string accountId, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        if (!(await accounts.AccessAsync(Caller.From(req), accountId, cancellationToken)).TryGet(out _, out var denied))
        {
            return denied;
        }
        if (!(await apps.ListAsync(accountId, cancellationToken)).Any(a => a.Store == Stores.GooglePlay))
        {
            return Problems.Conflict("Register an Android app first: ReviewHub verifies the invitation by reading " +
                "its reviews.");
        }
        return await BeginAttemptAsync(accountId, client, cancellationToken);
    }

    /// <summary>Records the attempt with its deadline and makes sure its verification runs.</summary>
    private async Task<IActionResult> BeginAttemptAsync(string accountId, DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        await store.EnsureAsync(accountId, cancellationToken);
        var deadline = calendar.AddWorkingDays(clock.GetUtcNow(), options.Value.ConnectionWorkingDays);
        var (outcome, row) = await store.BeginAttemptAsync(accountId, deadline, cancellationToken);
        switch (outcome)
        {
            case PlayInviteOutcome.NoServiceAccount:
                return Problems.Conflict("ReviewHub's operators have not created the account's Google service " +
                    "account yet: there is no email to invite. The connection shows it once it is ready.");
            case PlayInviteOutcome.AlreadyActive:
                return Problems.Conflict("The Google Play connection is already in force.");
            case PlayInviteOutcome.Started:
                logger.LogInformation("Google Play invitation confirmed for {AccountId}, deadline {Deadline}",
                    accountId, row!.Deadline);
                break;
        }
        row ??= await store.GetAsync(accountId, cancellationToken);
        // Also for an attempt in progress: starting is deduplicated, and it repairs a start lost after the write.
        await launcher.EnsureStartedAsync(client, row!, cancellationToken);
        return new AcceptedResult($"/api/{Route.Replace("{accountId}", accountId, StringComparison.Ordinal)}",
            PlayConnectionResponse.From(row!));
    }

    /// <summary>"I fixed it": checks a connection in force at once; 409 when none is.</summary>
    [Function(nameof(ReportPlayConnectionFixed))]
    public async Task<IActionResult> ReportPlayConnectionFixed(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route + "/fixed")] HttpRequest req,
        string accountId, CancellationToken cancellationToken)
    {
        if (!(await accounts.AccessAsync(Caller.From(req), accountId, cancellationToken)).TryGet(out _, out var denied))
        {
            return denied;
        }
        switch (await health.CheckAsync(accountId, cancellationToken))
        {
            case PlayHealthOutcome.NotInForce:
                return Problems.Conflict("The Google Play connection is not in force.");
            case PlayHealthOutcome.Undecided:
                // Google did not answer: the queue tries again shortly; the status shows the last finding.
                await queue.SendAsync(GooglePlayQueues.PlayConnectionChecks, new PlayConnectionCheckRequest(accountId),
                    TimeSpan.FromMinutes(5), cancellationToken);
                break;
        }
        return new OkObjectResult(PlayConnectionResponse.From((await store.GetAsync(accountId, cancellationToken))!));
    }

    /// <summary>
    /// Disconnect (the account owner only, like App Store Connect's): ReviewHub stops using the service account,
    /// deletes its key, ends a running verification and records it. Idempotent: 200 with the status every time.
    /// </summary>
    [Function(nameof(DisconnectPlayConnection))]
    public async Task<IActionResult> DisconnectPlayConnection(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Route)] HttpRequest req, string accountId,
        [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var caller = Caller.From(req);
        if (!(await accounts.AccessAsync(caller, accountId, cancellationToken)).TryGet(out var account, out _)
            || await store.GetAsync(accountId, cancellationToken) is null)
        {
            return Problems.NotFound("No Google Play connection.");
        }
        if (account.OwnerUserId != caller.UserId)
        {
            return Problems.Forbidden("Only the owner of the account can disconnect Google Play.");
        }
        return new OkObjectResult(PlayConnectionResponse.From(
            await DisconnectAsync(accountId, caller.UserId, client, cancellationToken)));
    }

    private async Task<PlayConnectionEntity> DisconnectAsync(string accountId, string userId,
        DurableTaskClient client, CancellationToken cancellationToken)
    {
        var (before, _) = await store.DisconnectAsync(accountId, cancellationToken);
        // The row no longer names the key, so every fetch and reply after this goes without it; then it goes.
        await serviceAccounts.DeleteAsync(accountId, cancellationToken);
        var row = (await store.GetAsync(accountId, cancellationToken))!;
        if (before?.StatusValue == PlayConnectionStatus.Verifying)
        {
            await client.RaiseEventAsync(row.InstanceId, PlayConnectionVerificationOrchestrator.CancelEvent, true,
                cancellationToken);
        }
        await events.RecordAsync(accountId, PlayConnectionDegradation.EventStreamFor(accountId),
            IntegrationEventKind.Disconnected, row.DisconnectedAt!.Value, userId,
            $"Disconnected (was {before?.Status ?? row.Status}); the service account's key was deleted.",
            cancellationToken);
        logger.LogInformation("Google Play connection of {AccountId} disconnected by {UserId}", accountId, userId);
        return row;
    }

    /// <summary>The audit trail (degraded, recovered, disconnected), newest first.</summary>
    [Function(nameof(GetPlayConnectionEvents))]
    public async Task<IActionResult> GetPlayConnectionEvents(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route + "/events")] HttpRequest req,
        string accountId, CancellationToken cancellationToken)
    {
        if (!(await accounts.AccessAsync(Caller.From(req), accountId, cancellationToken)).TryGet(out _, out var denied))
        {
            return denied;
        }
        var items = await events.ReadAsync(accountId, PlayConnectionDegradation.EventStreamFor(accountId),
            cancellationToken);
        return new OkObjectResult(new IntegrationEventsResponse(items.Select(IntegrationEventView.From).ToList()));
    }

    /// <summary>
    /// Operators: stores the key file of the service account they created for the account in ReviewHub's Google Cloud
    /// project (Key Vault; the table keeps only its email). The customer can then invite that email. Providing a new
    /// key for the same email (a refused or rotated one) keeps the connection; another email needs a new invitation.
    /// </summary>
    [OperatorOnly]
    [Function(nameof(ProvisionPlayServiceAccount))]
    public async Task<IActionResult> ProvisionPlayServiceAccount(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put",
            Route = "operators/accounts/{accountId}/google-play/service-account")] HttpRequest req,
        string accountId, CancellationToken cancellationToken)
    {
        // Operators are not members of customer accounts: the account is looked up directly.
        if (!Ids.IsValid(accountId) || await accounts.GetAsync(accountId, cancellationToken) is null)
        {
            return Problems.NotFound("No such account.");
        }
        var read = await JsonRequest.ReadAsync<ProvisionServiceAccountRequest>(req, cancellationToken);
        if (!read.TryGet(out var request, out var invalid))
        {
            return invalid;
        }
        var key = await serviceAccounts.SaveAsync(accountId, request.KeyFile!, cancellationToken);
        var row = await store.RecordServiceAccountAsync(accountId, key.ClientEmail, cancellationToken);
        logger.LogInformation("Google service account {Email} provisioned for {AccountId}", key.ClientEmail,
            accountId);
        return new OkObjectResult(PlayConnectionResponse.From(row));
    }
}
