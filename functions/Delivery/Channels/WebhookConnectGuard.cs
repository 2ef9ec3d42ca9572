using System.Net;
using System.Net.Sockets;

namespace ReviewHub.Delivery;

/// <summary>A webhook host resolved only to addresses we never call (loopback, private, link-local).</summary>
public sealed class WebhookAddressRefusedException(string host) : Exception($"The webhook host {host} resolves to a private address.");

/// <summary>
/// Connects webhook requests only to public addresses, checked on the resolved address at connect time, so a DNS name that
/// points into our network (or is re-pointed after the route was saved) cannot be used to probe it.
/// </summary>
internal static class WebhookConnectGuard
{
    public static SocketsHttpHandler CreateHandler(bool allowPrivate) => new()
    {
        AllowAutoRedirect = false,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
            var allowed = addresses.Where(a => allowPrivate || !RouteRules.IsPrivate(a)).ToArray();
            if (allowed.Length == 0)
            {
                throw new WebhookAddressRefusedException(host);
            }
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
