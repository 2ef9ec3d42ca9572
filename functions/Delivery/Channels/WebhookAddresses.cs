using System.Net;
using System.Net.Sockets;

namespace ReviewHub.Delivery;

/// <summary>
/// The addresses a webhook may connect to: an allow-list of global unicast addresses, not a list of private ranges.
/// IPv4 1.0.0.0–223.255.255.255 and IPv6 2000::/3, minus the special-purpose ranges inside them that are not globally
/// reachable (IANA special-purpose registries). An IPv4-mapped IPv6 address is judged by its IPv4 address; every
/// other form that embeds or translates IPv4 (IPv4-compatible, NAT64, 6to4, Teredo) is refused, as are the unspecified
/// address (<c>::</c>, <c>0.0.0.0</c>, which connect to this machine), loopback, link-local, multicast and reserved
/// space.
/// </summary>
internal static class WebhookAddresses
{
    private static readonly IPNetwork[] Unicast =
    [
        IPNetwork.Parse("0.0.0.0/1"),
        IPNetwork.Parse("128.0.0.0/2"),
        IPNetwork.Parse("192.0.0.0/3"), // below 224.0.0.0
        IPNetwork.Parse("2000::/3"),
    ];

    private static readonly IPNetwork[] NotGlobal =
    [
        IPNetwork.Parse("0.0.0.0/8"), // "this network"
        IPNetwork.Parse("10.0.0.0/8"), // private
        IPNetwork.Parse("100.64.0.0/10"), // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"), // loopback
        IPNetwork.Parse("169.254.0.0/16"), // link-local, cloud metadata
        IPNetwork.Parse("172.16.0.0/12"), // private
        IPNetwork.Parse("192.0.0.0/24"), // IETF protocol assignments
        IPNetwork.Parse("192.0.2.0/24"), // documentation (TEST-NET-1)
        IPNetwork.Parse("192.88.99.0/24"), // 6to4 relay anycast (deprecated)
        IPNetwork.Parse("192.168.0.0/16"), // private
        IPNetwork.Parse("198.18.0.0/15"), // benchmarking
        IPNetwork.Parse("198.51.100.0/24"), // documentation (TEST-NET-2)
        IPNetwork.Parse("203.0.113.0/24"), // documentation (TEST-NET-3)
        IPNetwork.Parse("2001::/23"), // IETF protocol assignments: Teredo, benchmarking, ORCHID
        IPNetwork.Parse("2001:db8::/32"), // documentation
        IPNetwork.Parse("2002::/16"), // 6to4 (embeds an IPv4 address)
        IPNetwork.Parse("3ffe::/16"), // former 6bone, returned
        IPNetwork.Parse("3fff::/20"), // documentation
    ];

    public static bool IsGlobalUnicast(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        return address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
            && Unicast.Any(n => n.Contains(address))
            && !NotGlobal.Any(n => n.Contains(address));
    }

    /// <summary>The IP literal of a URL host (<c>[::1]</c> or <c>127.0.0.1</c>), or null for a DNS name.</summary>
    public static IPAddress? Literal(string host) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var address) ? address : null;
}
