using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReviewHub.Apps;
using ReviewHub.Configuration;
using ReviewHub.Http;
using ReviewHub.Integrations;

namespace ReviewHub.GooglePlay;

internal static class GooglePlayServiceCollectionExtensions
{
    public static IServiceCollection AddGooglePlay(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<GooglePlayOptions>(configuration, GooglePlayOptions.Section);
        services.AddSingleton<GooglePlayServiceAccounts>();
        services.AddSingleton<GooglePlayAccessTokens>();
        services.AddSingleton<PlayReviewPoll>();
        services.AddHttpClient(GooglePlayAccessTokens.HttpClientName).AddOutboundResilience(Timeout);
        services.AddHttpClient<GooglePlayClient>().AddOutboundResilience(Timeout);
        return services;
    }

    /// <summary>The Google Play connection (its table, verification, health, HTTP): the feature on top of the client
    /// plumbing <see cref="AddGooglePlay"/> registers.</summary>
    public static IServiceCollection AddGooglePlayConnections(this IServiceCollection services)
    {
        services.AddSingleton<PlayConnectionStore>();
        services.AddTransient<PlayGrantProbe>(); // holds the typed GooglePlayClient, whose handlers rotate
        services.AddSingleton<PlayConnectionEmails>();
        services.AddSingleton<PlayConnectionDegradation>();
        services.AddTransient<PlayConnectionHealth>();
        services.AddSingleton<IPlayRefusalObserver, PlayRefusalReporter>();
        services.AddSingleton<PlayVerificationLauncher>();
        services.AddTransient<CheckPlayGrantActivity>();
        services.AddSingleton<FailPlayConnectionActivity>();
        services.AddSingleton<EmailPlayConnectionOwnerActivity>();
        services.AddSingleton<IAppRegisteredListener, PlayConnectionRegistration>();
        services.AddSingleton<IOperatorWorkSource, PlayOperatorWork>();
        return services;
    }

    private static void Timeout(IServiceProvider provider,
        Microsoft.Extensions.Http.Resilience.HttpStandardResilienceOptions resilience) =>
        resilience.AttemptTimeout.Timeout = provider.GetRequiredService<IOptions<GooglePlayOptions>>().Value.Timeout;
}
