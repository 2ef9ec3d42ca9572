using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace ReviewHub.Http;

/// <summary>Retry budget for calls to other services, bound from <c>OutboundHttp__*</c>.</summary>
public sealed class OutboundHttpOptions
{
    public const string Section = "OutboundHttp";

    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First retry delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>Which failed attempts the outbound retry may repeat.</summary>
public enum OutboundRetry
{
    /// <summary>408, 429, 5xx, timeouts and network errors: for requests that are safe to repeat (GETs, PUTs, keyed POSTs).</summary>
    Transient,

    /// <summary>
    /// Only attempts the service certainly did not process: 429 (after its Retry-After) and connections that never opened.
    /// For POSTs that are not idempotent (Slack chat.postMessage, SendGrid mail/send): a timeout or 5xx may have been acted on,
    /// so it fails the call and the caller's own retry decides (delivery's queue and ledger, the integration email activity).
    /// </summary>
    UnprocessedOnly,
}

/// <summary>
/// The one retry/timeout policy for calls to other services: per-attempt timeout, a few retries with exponential backoff and
/// jitter on 408/429/5xx and network errors (or, with <see cref="OutboundRetry.UnprocessedOnly"/>, on 429 and failed
/// connections only), honouring Retry-After, and an overall deadline. Callers adjust it per service.
/// </summary>
public static class OutboundResilience
{
    public static IHttpClientBuilder AddOutboundResilience(
        this IHttpClientBuilder builder, Action<IServiceProvider, HttpStandardResilienceOptions>? configure = null,
        OutboundRetry retry = OutboundRetry.Transient)
    {
        builder.Services.AddOptions<OutboundHttpOptions>().BindConfiguration(OutboundHttpOptions.Section);
        builder.AddStandardResilienceHandler().Configure((HttpStandardResilienceOptions options, IServiceProvider provider) =>
        {
            var budget = provider.GetRequiredService<IOptions<OutboundHttpOptions>>().Value;
            options.Retry.MaxRetryAttempts = budget.MaxRetryAttempts;
            options.Retry.BackoffType = Polly.DelayBackoffType.Exponential;
            options.Retry.UseJitter = true;
            options.Retry.Delay = budget.RetryBaseDelay;
            options.Retry.ShouldRetryAfterHeader = true;
            if (retry == OutboundRetry.UnprocessedOnly)
            {
                options.Retry.ShouldHandle = arguments => ValueTask.FromResult(WasCertainlyNotProcessed(arguments.Outcome));
            }
            options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(10);
            options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(60);
            configure?.Invoke(provider, options);
            // The circuit breaker's sampling window must cover at least two attempt timeouts.
            options.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(
                options.CircuitBreaker.SamplingDuration.Ticks, options.AttemptTimeout.Timeout.Ticks * 2));
        });
        return builder;
    }

    /// <summary>True when the attempt certainly did not reach the service's processing: refused with 429, or no connection.</summary>
    public static bool WasCertainlyNotProcessed(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests
        || outcome.Exception is { } exception && NeverConnected(exception);

    /// <summary>True when the request failed before a connection to the service opened (it never saw it).</summary>
    public static bool NeverConnected(Exception exception) => exception is HttpRequestException
    {
        HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            or HttpRequestError.SecureConnectionError,
    };
}
