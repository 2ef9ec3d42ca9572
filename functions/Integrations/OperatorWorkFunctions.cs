using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.Apps;
using ReviewHub.Http;
using ReviewHub.Observability;
using ReviewHub.Security;
using ReviewHub.Storage;

namespace ReviewHub.Integrations;

/// <summary>One connection waiting on ReviewHub's operators, as the work list shows it. <c>Store</c>: whose
/// connection (<c>appStore</c>: an App Store Connect team; <c>googlePlay</c>: the account's Google Play connection).
/// </summary>
internal sealed record OperatorWorkItem(
    string AccountId, string ConnectionId, string Team, string Status, string Method, DateTimeOffset WaitingSince,
    double WorkingHoursWaited, bool Overdue, string NextStep, string Store);

/// <summary>A connection of another feature waiting on ReviewHub's operators since <c>Since</c>.</summary>
internal sealed record OperatorWait(
    string AccountId, string ConnectionId, string Team, string Store, string Status, string Method,
    DateTimeOffset Since, string NextStep);

/// <summary>
/// Another store's connections that wait on ReviewHub's operators (Google Play's), for the one work list and its
/// alert: oldest first, at most <c>max</c>, <c>Truncated</c> when more wait.
/// </summary>
internal interface IOperatorWorkSource
{
    Task<(IReadOnlyList<OperatorWait> Waits, bool Truncated)> WaitingAsync(
        int max, CancellationToken cancellationToken);
}

/// <summary>The work list: oldest wait first; <c>Truncated</c> when more connections wait than listed.</summary>
internal sealed record OperatorWorkListResponse(
    IReadOnlyList<OperatorWorkItem> Items, double OverdueAfterWorkingHours, bool Truncated);

/// <summary>
/// What waits on ReviewHub's operators (an invitation to accept, a key to register or replace, an activation step
/// that keeps failing), from <see cref="IntegrationEntity.OperatorsWaitingSince"/>. Ages are working time in the
/// business calendar, like the setup's deadline; a connection is overdue past
/// <see cref="IntegrationOptions.OperatorWaitAlertAfter"/>. Other stores' connections (Google Play's) join the same
/// list and alert through their <see cref="IOperatorWorkSource"/>.
/// </summary>
internal sealed class OperatorWorkFunctions(
    IntegrationStore store,
    IEnumerable<IOperatorWorkSource> otherStores,
    MissingInvitationReport missingInvitation,
    WorkingDayCalendar calendar,
    IOptions<IntegrationOptions> options,
    ReviewHubMetrics metrics,
    TimeProvider clock,
    ILogger<OperatorWorkFunctions> logger)
{
    /// <summary>Bounds one read of the list (the monitor counts at most this many overdue).</summary>
    public const int MaxItems = 1000;

    /// <summary>Every 15 minutes: how the operators-late alert learns of a wait within a quarter of an hour.</summary>
    public const string MonitorSchedule = "0 */15 * * * *";

    public async Task<OperatorWorkListResponse> ReadAsync(CancellationToken cancellationToken)
    {
        var (rows, truncated) = await store.WaitingOnOperatorsAsync(MaxItems, cancellationToken);
        var waits = rows.Select(row => new OperatorWait(row.AccountId, row.ConnectionId, row.Team, Stores.AppStore,
            IntegrationResponses.Name(row.StatusValue), IntegrationResponses.Name(row.MethodValue),
            row.OperatorsWaitingSince!.Value, ConnectionActors.For(row).Step)).ToList();
        foreach (var source in otherStores)
        {
            var (more, moreTruncated) = await source.WaitingAsync(MaxItems, cancellationToken);
            waits.AddRange(more);
            truncated |= moreTruncated;
        }
        var now = clock.GetUtcNow();
        var alertAfter = options.Value.OperatorWaitAlertAfter;
        var items = waits.OrderBy(w => w.Since).ThenBy(w => w.AccountId, StringComparer.Ordinal).Take(MaxItems)
            .Select(wait =>
            {
                var waited = calendar.WorkingTimeBetween(wait.Since, now);
                return new OperatorWorkItem(wait.AccountId, wait.ConnectionId, wait.Team, wait.Status, wait.Method,
                    wait.Since, Math.Round(waited.TotalHours, 2), waited > alertAfter, wait.NextStep, wait.Store);
            }).ToList();
        return new OperatorWorkListResponse(items, alertAfter.TotalHours, truncated || waits.Count > MaxItems);
    }

    /// <summary>Operators: the connections waiting on them, oldest first, with their age in working hours.</summary>
    [OperatorOnly]
    [Function(nameof(ListOperatorWork))]
    public async Task<IActionResult> ListOperatorWork(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "operators/connections/waiting")] HttpRequest req,
        CancellationToken cancellationToken) =>
        new OkObjectResult(await ReadAsync(cancellationToken));

    /// <summary>
    /// Operators: no invitation from the customer's team arrived. 200 with the status (the customer must invite; the
    /// owner emailed once, a repeated call changes nothing); 404 unknown connection; 409 when the setup does not wait
    /// for an invitation; 503 when the owner's email could not be sent (nothing recorded: call again).
    /// </summary>
    [OperatorOnly]
    [Function(nameof(ReportNoInvitation))]
    public async Task<IActionResult> ReportNoInvitation(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post",
            Route = "accounts/{accountId}/connections/{connectionId}/no-invitation")] HttpRequest req,
        string accountId, string connectionId, CancellationToken cancellationToken)
    {
        var outcome = Ids.IsValid(accountId) && Ids.IsValid(connectionId)
            ? await missingInvitation.ReportAsync(accountId, connectionId, cancellationToken)
            : MissingInvitationOutcome.Unknown;
        return outcome switch
        {
            MissingInvitationOutcome.Unknown => Problems.NotFound("No such connection."),
            MissingInvitationOutcome.NotWaitingForInvitation => Problems.Conflict(
                "This connection does not wait for an invitation: a key is registered or no setup is in progress."),
            MissingInvitationOutcome.EmailNotSent => Problems.Unavailable(
                "The owner could not be emailed (SendGrid did not take the message); nothing was recorded. Try again."),
            _ => new OkObjectResult(IntegrationResponses.Status(
                (await store.GetConnectionAsync(accountId, connectionId, cancellationToken))!, options.Value,
                accountId)),
        };
    }

    /// <summary>Publishes how many connections wait on operators past the limit (the operators-late alert reads
    /// it).</summary>
    [Function(nameof(MeasureOperatorWork))]
    public Task MeasureOperatorWork([TimerTrigger(MonitorSchedule)] TimerInfo timer,
        CancellationToken cancellationToken) => MeasureAsync(cancellationToken);

    public async Task MeasureAsync(CancellationToken cancellationToken)
    {
        var list = await ReadAsync(cancellationToken);
        var overdue = list.Items.Where(i => i.Overdue).ToList();
        metrics.IntegrationsOperatorsOverdue(overdue.Count);
        foreach (var item in overdue)
        {
            logger.LogWarning(
                "Connection {AccountId}/{ConnectionId} has waited {Hours} working hours on ReviewHub's operators " +
                "({Status}): GET /api/operators/connections/waiting", item.AccountId, item.ConnectionId,
                item.WorkingHoursWaited, item.Status);
        }
    }
}
