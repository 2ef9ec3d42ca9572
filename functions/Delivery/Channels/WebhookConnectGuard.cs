using System.Net;
using System.Net.Sockets;

namespace ReviewHub.Delivery;

/// <summary>
/// Connects webhook requests only to global unicast addresses (<see cref="WebhookAddresses"/>), checked on the
/// addresses the socket is given at connect time, so a DNS name that points into our network (or is re-pointed after
/// the route was saved) cannot be used to probe it. This is the check that counts; the one at registration only gives
/// the customer an early answer.
/// </summary>
internal static class WebhookConnectGuard
{
    public static SocketsHttpHandler CreateHandler(bool allowPrivate) => new()
    {
        AllowAutoRedirect = false,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = WebhookAddresses.Literal(host) is { } literal
                ? [literal]
                : await Dns.GetHostAddressesAsync(host, cancellationToken);
            var allowed = addresses.Where(a => allowPrivate || WebhookAddresses.IsGlobalUnicast(a)).ToArray();
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
