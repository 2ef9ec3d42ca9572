using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using ReviewHub.Apps;
using ReviewHub.Storage;

namespace ReviewHub.Delivery;

internal enum ClaimOutcome { Claimed, AlreadyDelivered, InFlight }

internal sealed record Claim(ClaimOutcome Outcome, DeliveryEntity? Row, TimeSpan LeaseRemaining = default);

/// <summary>Claims (review, route) pairs with conditional writes, so exactly one attempt at a time may send each, and
/// records the outcome.</summary>
internal sealed class DeliveryLedger(TableServiceClient tables, TimeProvider clock, IOptions<DeliveryOptions> options)
    : IAppDataPurger
{
    private readonly TableClient table = tables.GetTableClient(DeliveryTables.Deliveries);

    public async Task<Claim> TryClaimAsync(string appId, string routeId, string reviewId, string batchId,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var row = new DeliveryEntity
        {
            PartitionKey = appId,
            RowKey = DeliveryEntity.KeyFor(routeId, reviewId),
            LeaseUntil = now + options.Value.ClaimLease,
            Attempts = 1,
            BatchId = batchId,
        };
        try
        {
            var added = await table.AddEntityAsync(row, cancellationToken);
            row.ETag = added.Headers.ETag ?? default;
            return new Claim(ClaimOutcome.Claimed, row);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Someone recorded this pair before: decide from its state below.
        }

        var existing = (await table.GetEntityAsync<DeliveryEntity>(row.PartitionKey, row.RowKey,
            cancellationToken: cancellationToken)).Value;
        switch (existing.StateValue)
        {
            case DeliveryState.Delivered:
                return new Claim(ClaimOutcome.AlreadyDelivered, existing);
            case DeliveryState.Sending when existing.LeaseUntil > now:
                return new Claim(ClaimOutcome.InFlight, existing, existing.LeaseUntil - now);
        }
        // Failed, or a claim whose holder crashed (lease expired): take it over, unless another attempt does so first
        // (ETag).
        existing.State = nameof(DeliveryState.Sending);
        existing.LeaseUntil = now + options.Value.ClaimLease;
        existing.Attempts++;
        existing.BatchId = batchId;
        try
        {
            var updated = await table.UpdateEntityAsync(existing, existing.ETag, TableUpdateMode.Replace,
                cancellationToken);
            existing.ETag = updated.Headers.ETag ?? default;
            return new Claim(ClaimOutcome.Claimed, existing);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return new Claim(ClaimOutcome.InFlight, existing, options.Value.ClaimLease);
        }
    }

    /// <summary>
    /// Sends under claims taken by <see cref="TryClaimAsync"/>, the one step every delivery shares: when the send
    /// throws, the claims are released (marked failed, lease ended) so the next attempt need not wait for the lease,
    /// and the exception propagates; when it succeeds, they are recorded as delivered with the channel's id.
    /// </summary>
    /// <returns>The channel's id of what it sent (a message timestamp, a ticket id), if it has one.</returns>
    public async Task<string?> SendUnderClaimsAsync(IReadOnlyList<DeliveryEntity> claims, Func<Task<string?>> send)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(send);
        string? externalId;
        try
        {
            externalId = await send();
        }
        catch (Exception ex)
        {
            foreach (var claim in claims)
            {
                await ReleaseAsync(claim, ex.Message);
            }
            throw;
        }
        foreach (var claim in claims)
        {
            await MarkDeliveredAsync(claim, externalId);
        }
        return externalId;
    }

    // Unconditional, and not cancelled with the invocation: even if our lease ran out meanwhile, the channel did
    // accept it.
    private async Task MarkDeliveredAsync(DeliveryEntity claim, string? externalId)
    {
        claim.State = nameof(DeliveryState.Delivered);
        claim.ExternalId = externalId;
        claim.LastError = null;
        claim.DeliveredAt = clock.GetUtcNow();
        await table.UpsertEntityAsync(claim, TableUpdateMode.Replace, CancellationToken.None);
    }

    // No-op if someone took the claim over (or the app was purged) meanwhile.
    private async Task ReleaseAsync(DeliveryEntity claim, string error)
    {
        claim.State = nameof(DeliveryState.Failed);
        claim.LastError = ReviewText.Truncate(error, 1000);
        claim.LeaseUntil = clock.GetUtcNow();
        try
        {
            await table.UpdateEntityAsync(claim, claim.ETag, TableUpdateMode.Replace, CancellationToken.None);
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            // Taken over or purged meanwhile.
        }
    }

    public async Task<DeliveryEntity?> GetAsync(string appId, string routeId, string reviewId,
        CancellationToken cancellationToken)
    {
        return await table.FindAsync<DeliveryEntity>(appId, DeliveryEntity.KeyFor(routeId, reviewId),
            cancellationToken);
    }

    public Task PurgeAsync(string accountId, string appId, CancellationToken cancellationToken) =>
        table.DeletePartitionAsync(appId, cancellationToken);
}
