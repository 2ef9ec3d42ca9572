namespace ReviewHub.Delivery;

internal enum RouteStatus
{
    Active,

    /// <summary>The channel refused our credentials or target (401/403, revoked token, deleted channel): nothing is
    /// sent until the route is updated.</summary>
    Broken,
}
