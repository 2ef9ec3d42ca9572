using Azure.Data.Tables;
using ReviewHub.Apps;
using ReviewHub.Integrations;
using ReviewHub.Storage;

namespace ReviewHub.GooglePlay;

/// <summary>
/// The Google Play connections waiting on ReviewHub's operators (a service account to provision, a key Google refuses,
/// the API off in ReviewHub's project), for the operators' one work list and its alert
/// (<see cref="OperatorWorkFunctions"/>): the same rule and age as App Store Connect connections, from
/// <see cref="PlayConnectionEntity.OperatorsWaitingSince"/>.
/// </summary>
internal sealed class PlayOperatorWork(PlayConnectionStore store) : IOperatorWorkSource
{
    /// <summary>How the work list names the connection: one per account.</summary>
    public const string Team = "Google Play";

    /// <summary>Play connects only by invitation (the customer invites the account's service account).</summary>
    private const string Method = "invitation";

    public async Task<(IReadOnlyList<OperatorWait> Waits, bool Truncated)> WaitingAsync(
        int max, CancellationToken cancellationToken)
    {
        var rows = new List<PlayConnectionEntity>();
        var truncated = false;
        await foreach (var row in store.Table.QueryRowsAsync<PlayConnectionEntity>(
            TableClient.CreateQueryFilter($"OperatorsWaitingSince ge {DateTimeOffset.UnixEpoch}"),
            cancellationToken: cancellationToken))
        {
            if (rows.Count == max)
            {
                truncated = true;
                break;
            }
            rows.Add(row);
        }
        var waits = rows.OrderBy(r => r.OperatorsWaitingSince).ThenBy(r => r.AccountId, StringComparer.Ordinal)
            .Select(row => new OperatorWait(row.AccountId, PlayConnectionEntity.RowKeyValue, Team, Stores.GooglePlay,
                IntegrationResponses.Name(row.StatusValue), Method, row.OperatorsWaitingSince!.Value,
                PlayConnectionActors.For(row).Step))
            .ToList();
        return (waits, truncated);
    }
}
