using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace ReviewHub.Http;

/// <summary>Retry budget for calls to other services, bound from <c>OutboundHttp__*</c>.</summary>
public sealed class OutboundHttpOptions
{
    public const string Section = "OutboundHttp";

    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First retry delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>
/// The one retry/timeout policy for calls to other services: per-attempt timeout, a few retries with exponential backoff and
/// jitter on 408/429/5xx and network errors, honouring Retry-After, and an overall deadline. Callers adjust it per service.
/// </summary>
public static class OutboundResilience
{
    public static IHttpClientBuilder AddOutboundResilience(
        this IHttpClientBuilder builder, Action<IServiceProvider, HttpStandardResilienceOptions>? configure = null)
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
            options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(10);
            options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(60);
            configure?.Invoke(provider, options);
            // The circuit breaker's sampling window must cover at least two attempt timeouts.
            options.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(
                options.CircuitBreaker.SamplingDuration.Ticks, options.AttemptTimeout.Timeout.Ticks * 2));
        });
        return builder;
    }
}
