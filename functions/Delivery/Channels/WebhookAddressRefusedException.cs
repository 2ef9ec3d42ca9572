namespace ReviewHub.Delivery;

/// <summary>A webhook host resolved only to addresses we never call (anything but global unicast).</summary>
internal sealed class WebhookAddressRefusedException(string host)
    : Exception($"The webhook host {host} does not resolve to a public (global unicast) address.");
