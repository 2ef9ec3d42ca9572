namespace ReviewHub.Delivery;

/// <summary>
/// Queue message (queue <c>deliveries</c>): deliver these reviews of one new-reviews batch to one route. A failing
/// route fails only its own message; after the host's retries it lands in <c>deliveries-poison</c> with route and
/// review ids, ready for replay.
/// </summary>
/// <param name="Deferrals">How often this work was postponed (rate limit, or in flight elsewhere); bounded by <see
/// cref="DeliveryOptions.MaxDeferrals"/>.</param>
internal sealed record DeliveryWork(string AccountId, string AppId, string RouteId, string BatchId,
    IReadOnlyList<string> ReviewIds, int Deferrals = 0);
