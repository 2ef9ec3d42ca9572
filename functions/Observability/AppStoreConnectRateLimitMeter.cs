using ReviewHub.AppStoreConnect;

namespace ReviewHub.Observability;

/// <summary>
/// Records Apple's <c>X-Rate-Limit</c> remaining budget on every App Store Connect response (each attempt, 429s
/// included), so the headroom metric does not depend on every feature remembering to report it.
/// </summary>
internal sealed class AppStoreConnectRateLimitMeter(ReviewHubMetrics metrics) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request,
        CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var header = response.Headers.TryGetValues(RateLimit.Header, out var values) ? values.FirstOrDefault() : null;
        if (RateLimit.Parse(header) is { } rateLimit)
        {
            metrics.AppStoreConnectRateLimitObserved(rateLimit);
        }
        return response;
    }
}
