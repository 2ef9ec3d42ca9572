using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReviewHub.Configuration;
using ReviewHub.Http;

namespace ReviewHub.GooglePlay;

public static class GooglePlayServiceCollectionExtensions
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

    private static void Timeout(IServiceProvider provider,
        Microsoft.Extensions.Http.Resilience.HttpStandardResilienceOptions resilience) =>
        resilience.AttemptTimeout.Timeout = provider.GetRequiredService<IOptions<GooglePlayOptions>>().Value.Timeout;
}
