using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace ReviewHub.Http;

/// <summary>
/// The one retry/timeout policy for calls to other services: per-attempt timeout, a few retries with exponential
/// backoff and jitter on 408/429/5xx and network errors (or, with <see cref="OutboundRetry.UnprocessedOnly"/>, on 429
/// and failed connections only), honouring Retry-After up to <see cref="OutboundHttpOptions.MaxRetryAfterWait"/>, and
/// an overall deadline. A longer Retry-After is not waited for: the answer returns to the caller at once, which defers
/// the work through its queue. Callers adjust timeouts per service.
/// </summary>
internal static class OutboundResilience
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
