using Azure.Data.Tables;
using ReviewHub.Storage;

namespace ReviewHub.Accounts;

internal enum ConfirmOutcome
{
    Confirmed,
    Invalid,
    Expired,
    Unknown,
}

/// <summary>
/// Which addresses agreed to receive an account's email. An address gets nothing from ReviewHub (no review, no test
/// message, no notice) until someone who reads it follows the signed, expiring link sent to it; see docs/delivery.md.
/// </summary>
internal sealed class EmailConfirmationStore(
    TableServiceClient tables,
    IMessageQueue queue,
    EmailConfirmationTokens tokens,
    TimeProvider clock
)
{
    private readonly TableClient table = tables.GetTableClient(AccountTables.EmailConfirmations);

    /// <summary>Records the addresses as pending (unless confirmed) and queues their confirmation emails.</summary>
    public async Task RequestAsync(string accountId, IEnumerable<string> addresses, CancellationToken cancellationToken)
    {
        foreach (var address in addresses.Select(a => a.Trim()).DistinctBy(EmailConfirmationEntity.Normalise))
        {
            var row = await GetAsync(accountId, address, cancellationToken);
            if (row is { IsConfirmed: true })
            {
                continue;
            }
            if (row is null)
            {
                await table.TryAddAsync(
                    new EmailConfirmationEntity
                    {
                        PartitionKey = accountId,
                        RowKey = EmailConfirmationEntity.KeyFor(address),
                        Address = address,
                        RequestedAt = clock.GetUtcNow(),
                    },
                    cancellationToken
                );
            }
            // Duplicates are harmless: the sender sends at most one email per address per resend interval.
            await queue.SendAsync(
                AccountQueues.EmailConfirmations,
                new EmailConfirmationMessage(accountId, address),
                cancellationToken: cancellationToken
            );
        }
    }

    public async Task<EmailConfirmationEntity?> GetAsync(
        string accountId,
        string address,
        CancellationToken cancellationToken
    )
    {
        return await table.FindAsync<EmailConfirmationEntity>(accountId, EmailConfirmationEntity.KeyFor(address),
            cancellationToken);
    }

    public async Task<bool> IsConfirmedAsync(string accountId, string address, CancellationToken cancellationToken) =>
        (await GetAsync(accountId, address, cancellationToken))?.IsConfirmed == true;

    /// <summary>
    /// The addresses of <paramref name="addresses"/> that are confirmed for the account, in their order.
    /// </summary>
    public async Task<IReadOnlyList<string>> ConfirmedAsync(
        string accountId,
        IEnumerable<string> addresses,
        CancellationToken cancellationToken
    )
    {
        var confirmed = new List<string>();
        foreach (var address in addresses)
        {
            if (await IsConfirmedAsync(accountId, address, cancellationToken))
            {
                confirmed.Add(address);
            }
        }
        return confirmed;
    }

    public async Task<IReadOnlyList<EmailConfirmationEntity>> ListAsync(
        string accountId,
        CancellationToken cancellationToken
    )
    {
        var list = new List<EmailConfirmationEntity>();
        await foreach (var row in table.QueryRowsAsync<EmailConfirmationEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {accountId}"), cancellationToken: cancellationToken))
        {
            list.Add(row);
        }
        return list.OrderBy(r => r.RequestedAt).ToList();
    }

    /// <summary>
    /// Follows a confirmation link: a valid, unexpired token for a recorded address confirms it (again is fine).
    /// </summary>
    public async Task<(ConfirmOutcome Outcome, EmailConfirmationClaim? Claim)> ConfirmAsync(
        string token,
        CancellationToken cancellationToken
    )
    {
        var claim = tokens.Read(token);
        if (claim is null)
        {
            return (ConfirmOutcome.Invalid, null);
        }
        var now = clock.GetUtcNow();
        if (claim.ExpiresAt <= now)
        {
            return (ConfirmOutcome.Expired, claim);
        }
        var row = await table.UpdateAsync<EmailConfirmationEntity>(
            claim.AccountId,
            EmailConfirmationEntity.KeyFor(claim.Address),
            r =>
            {
                if (r.IsConfirmed)
                {
                    return false;
                }
                r.Status = nameof(EmailConfirmationStatus.Confirmed);
                r.ConfirmedAt = now;
                return true;
            },
            cancellationToken
        );
        return row is null ? (ConfirmOutcome.Unknown, claim) : (ConfirmOutcome.Confirmed, claim);
    }

    /// <summary>
    /// Marks a confirmation email as being sent now, if none went out within <paramref name="interval"/>: the one
    /// attempt that wins this conditional update sends, so duplicate messages send one email.
    /// </summary>
    public async Task<EmailConfirmationEntity?> TryClaimSendAsync(
        string accountId,
        string address,
        TimeSpan interval,
        CancellationToken cancellationToken
    )
    {
        var now = clock.GetUtcNow();
        var claimed = false;
        var row = await table.UpdateAsync<EmailConfirmationEntity>(
            accountId,
            EmailConfirmationEntity.KeyFor(address),
            r =>
            {
                claimed = !r.IsConfirmed && (r.LastSentAt is null || r.LastSentAt + interval <= now);
                if (claimed)
                {
                    r.LastSentAt = now;
                }
                return claimed;
            },
            cancellationToken
        );
        return claimed ? row : null;
    }

    /// <summary>Gives a claimed send back after the email failed, so the retry may send it.</summary>
    public Task ReleaseSendAsync(EmailConfirmationEntity claimed, CancellationToken cancellationToken) =>
        table.UpdateAsync<EmailConfirmationEntity>(
            claimed.PartitionKey,
            claimed.RowKey,
            r =>
            {
                if (r.LastSentAt != claimed.LastSentAt)
                {
                    return false;
                }
                r.LastSentAt = null;
                return true;
            },
            cancellationToken
        );
}
