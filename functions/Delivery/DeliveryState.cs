namespace ReviewHub.Delivery;

internal enum DeliveryState
{
    /// <summary>Claimed by one attempt until <see cref="DeliveryEntity.LeaseUntil"/>; after that anyone may take it
    /// over.</summary>
    Sending,

    /// <summary>The channel accepted it. Final: nobody sends it again.</summary>
    Delivered,

    /// <summary>The last attempt failed and released its claim; the next attempt (retry or replay) takes it at
    /// once.</summary>
    Failed,
}
