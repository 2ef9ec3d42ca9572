using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Logs;
using ReviewHub.AppStoreConnect;
using ReviewHub.Storage;

namespace ReviewHub.Observability;

internal static class ObservabilityServiceCollectionExtensions
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>Custom metrics for every feature (<see cref="ReviewHubMetrics"/>) and the App Store Connect rate-limit
    /// meter.</summary>
    public static IServiceCollection AddObservability(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<ReviewHubMetrics>();
        services.AddTransient<AppStoreConnectRateLimitMeter>();
        // Same name as the typed client's, so the handler joins its pipeline inside the retry handler and sees every
        // attempt.
        services.AddHttpClient(nameof(AppStoreConnectClient)).AddHttpMessageHandler<AppStoreConnectRateLimitMeter>();
        return services;
    }

    /// <summary>
    /// Exports traces, logs (with their scopes) and the ReviewHub meter to Application Insights through OpenTelemetry,
    /// with the app's managed identity (Application Insights has local authentication disabled). Does nothing without a
    /// connection string, i.e. locally and in tests. Returns whether telemetry is exported.
    /// </summary>
    public static bool AddReviewHubTelemetry(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration[ConnectionStringSetting];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return false;
        }
        builder.Services.Configure<OpenTelemetryLoggerOptions>(options =>
        {
            options.IncludeScopes = true;
            options.IncludeFormattedMessage = true;
        });
        builder.Services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithMetrics(metrics => metrics.AddMeter(ReviewHubMetrics.MeterName))
            .UseAzureMonitorExporter(options =>
            {
                options.ConnectionString = connectionString;
                options.Credential = StorageServiceCollectionExtensions.CreateCredential(builder.Configuration);
            });
        return true;
    }
}
