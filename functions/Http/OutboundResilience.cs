using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace ReviewHub.Http;

/// <summary>Retry budget of calls to other services and the rule for rate limits (<c>OutboundHttp__*</c>).</summary>
public sealed class OutboundHttpOptions
{
    public const string Section = "OutboundHttp";

    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First retry delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The longest Retry-After a call waits for in process before trying again. A service asking for longer gets no
    /// retry here: its answer goes back to the caller as a rate limit with that Retry-After, and the caller defers the
    /// work through its queue (<see cref="DeferralFor"/>) instead of holding a worker. Far below the 60 s deadline.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:15")]
    public TimeSpan MaxRetryAfterWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest one Retry-After defers a unit of work (storage queues allow 7 days).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MaxRetryAfterDeferral { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The queue visibility delay of work asked to come back after <paramref name="retryAfter"/>.</summary>
    public TimeSpan DeferralFor(TimeSpan retryAfter) => retryAfter < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1)
        : retryAfter > MaxRetryAfterDeferral ? MaxRetryAfterDeferral : retryAfter;

    /// <summary>True when the response asks to wait over <see cref="MaxRetryAfterWait"/>: not retried here.</summary>
    public bool LeavesToCaller(HttpResponseMessage response) => RetryAfter.Of(response.Headers) > MaxRetryAfterWait;
}

/// <summary>Which failed attempts the outbound retry may repeat.</summary>
public enum OutboundRetry
{
    /// <summary>408, 429, 5xx, timeouts and network errors: for requests that are safe to repeat (GETs, PUTs, keyed
    /// POSTs).</summary>
    Transient,

    /// <summary>
    /// Only attempts the service certainly did not process: 429 (after its Retry-After) and connections that never
    /// opened. For POSTs that are not idempotent (Slack chat.postMessage, SendGrid mail/send): a timeout or 5xx may
    /// have been acted on, so it fails the call and the caller's own retry decides (delivery's queue and ledger, the
    /// integration email activity).
    /// </summary>
    UnprocessedOnly,
}

/// <summary>
/// The one retry/timeout policy for calls to other services: per-attempt timeout, a few retries with exponential
/// backoff and jitter on 408/429/5xx and network errors (or, with <see cref="OutboundRetry.UnprocessedOnly"/>, on 429
/// and failed connections only), honouring Retry-After up to <see cref="OutboundHttpOptions.MaxRetryAfterWait"/>, and
/// an overall deadline. A longer Retry-After is not waited for: the answer returns to the caller at once, which defers
/// the work through its queue. Callers adjust timeouts per service.
/// </summary>
public static class OutboundResilience
{
    /// <summary>
    /// The service did not answer: a transport failure, or the pipeline's per-attempt timeout or open circuit (Polly
    /// surfaces those as <see cref="ExecutionRejectedException"/>, not a <see cref="TimeoutException"/>), or a
    /// cancellation the caller did not ask for.
    /// </summary>
    public static bool IsNoAnswer(Exception ex, CancellationToken cancellationToken) =>
        ex is HttpRequestException or TimeoutException or ExecutionRejectedException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    public static IHttpClientBuilder AddOutboundResilience(
        this IHttpClientBuilder builder, Action<IServiceProvider, HttpStandardResilienceOptions>? configure = null,
        OutboundRetry retry = OutboundRetry.Transient)
    {
        builder.Services.AddOptions<OutboundHttpOptions>().BindConfiguration(OutboundHttpOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.AddStandardResilienceHandler().Configure((HttpStandardResilienceOptions options,
            IServiceProvider provider) =>
        {
            var budget = provider.GetRequiredService<IOptions<OutboundHttpOptions>>().Value;
            options.Retry.MaxRetryAttempts = budget.MaxRetryAttempts;
            options.Retry.BackoffType = Polly.DelayBackoffType.Exponential;
            options.Retry.UseJitter = true;
            options.Retry.Delay = budget.RetryBaseDelay;
            // Retry-After (or X-RateLimit-Reset) sets the delay when the service names one; the backoff otherwise.
            options.Retry.ShouldRetryAfterHeader = false;
            options.Retry.DelayGenerator = arguments =>
                ValueTask.FromResult(arguments.Outcome.Result is { } response ? RetryAfter.Of(response.Headers) : null);
            if (retry == OutboundRetry.UnprocessedOnly)
            {
                options.Retry.ShouldHandle = arguments => ValueTask.FromResult(WasCertainlyNotProcessed(
                    arguments.Outcome));
            }
            options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(10);
            options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(60);
            configure?.Invoke(provider, options);
            var retryable = options.Retry.ShouldHandle;
            options.Retry.ShouldHandle = async arguments => await retryable(arguments)
                && !(arguments.Outcome.Result is { } response && budget.LeavesToCaller(response));
            // The circuit breaker's sampling window must cover at least two attempt timeouts.
            options.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(
                options.CircuitBreaker.SamplingDuration.Ticks, options.AttemptTimeout.Timeout.Ticks * 2));
        });
        return builder;
    }

    /// <summary>True when the attempt certainly did not reach the service's processing: refused with 429, or no
    /// connection.</summary>
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
