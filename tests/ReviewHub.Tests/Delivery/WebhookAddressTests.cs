using System.Net;
using System.Net.Sockets;
using ReviewHub.Delivery;
using ReviewHub.Http;

namespace ReviewHub.Tests.Delivery;

/// <summary>
/// The webhook guard is an allow-list of global unicast addresses, at registration and at connect time.
/// </summary>
public sealed class WebhookAddressTests
{
    public static TheoryData<string> NotGlobal =>
        new()
        {
            "https://[::]/hook",
            "https://0.0.0.0/hook",
            "https://[::1]/hook",
            "https://127.0.0.2/hook",
            "https://192.0.2.10/hook",
            "https://198.51.100.7/hook",
            "https://203.0.113.9/hook",
            "https://[2001:db8::1]/hook",
            "https://198.18.0.1/hook",
            "https://[2001:2::1]/hook",
            "https://240.0.0.1/hook",
            "https://255.255.255.255/hook",
            "https://224.0.0.1/hook",
            "https://[ff02::1]/hook",
            "https://[64:ff9b::7f00:1]/hook",
            "https://[2002:7f00:1::1]/hook",
            "https://[2001::1]/hook",
            "https://[::127.0.0.1]/hook",
            "https://[::ffff:127.0.0.1]/hook",
            "https://[::ffff:10.0.0.1]/hook",
            "https://[fe80::1]/hook",
            "https://[fc00::1]/hook",
            "https://192.88.99.1/hook",
            "https://100.64.0.1/hook",
            "https://169.254.169.254/hook",
            "https://intranet/hook",
        };

    [Theory]
    [MemberData(nameof(NotGlobal))]
    public void Registration_refuses_every_address_that_is_not_global_unicast(string target)
    {
        var errors = new ValidationErrors();

        RouteRules.ValidateWebhookPolicy(target, allowInsecure: false, errors);

        Assert.False(errors.IsEmpty, target);
    }

    [Theory]
    [InlineData("https://hooks.customer.test/reviews")]
    [InlineData("https://93.184.215.14/hook")]
    [InlineData("https://[2606:4700::6810:84e5]/hook")]
    [InlineData("https://[::ffff:93.184.215.14]/hook")]
    public void Registration_accepts_public_names_and_global_unicast_literals(string target)
    {
        var errors = new ValidationErrors();

        RouteRules.ValidateWebhookPolicy(target, allowInsecure: false, errors);

        Assert.True(errors.IsEmpty, target);
    }

    [Fact]
    public async Task The_unspecified_ipv6_address_is_refused_at_connect_time_although_it_reaches_loopback()
    {
        using var listener = new TcpListener(IPAddress.IPv6Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = false;
        _ = listener
            .AcceptTcpClientAsync()
            .ContinueWith(t => accepted = t.IsCompletedSuccessfully, TaskScheduler.Default);
        using var http = new HttpClient(WebhookConnectGuard.CreateHandler(allowPrivate: false))
        {
            Timeout = TimeSpan.FromSeconds(10),
        };

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://[::]:{port}/hook"));

        Assert.IsType<WebhookAddressRefusedException>(failure.InnerException);
        await Task.Delay(100);
        Assert.False(accepted);
        // The same listener is reachable when development settings allow private addresses: the refusal above is the
        // guard.
        using var insecure = new HttpClient(WebhookConnectGuard.CreateHandler(allowPrivate: true))
        {
            Timeout = TimeSpan.FromSeconds(2),
        };
        await Assert.ThrowsAnyAsync<Exception>(() => insecure.GetAsync($"http://[::]:{port}/hook"));
        Assert.True(accepted);
    }
}
