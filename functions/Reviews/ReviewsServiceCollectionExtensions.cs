using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReviewHub.Apps;
using ReviewHub.GooglePlay;
using ReviewHub.Http;
using ReviewHub.Integrations;
using ReviewHub.Configuration;

namespace ReviewHub.Reviews;

internal static class ReviewsServiceCollectionExtensions
{
    public static IServiceCollection AddReviews(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ReviewsOptions>(configuration, ReviewsOptions.Section);
        services.AddSingleton<FetchScheduler>();
        services.AddSingleton<ReviewStore>();
        services.AddSingleton<ReviewKeys>();
        services.AddSingleton<ReviewReader>();
        services.AddSingleton<ReviewReplySummary>();
        services.AddSingleton<ReviewQueries>();
        services.AddSingleton<ApiKeyBudgets>();
        services.AddSingleton<AppStoreConnectReviewPages>();
        services.AddSingleton<ReviewPageLoop>();
        services.AddSingleton<ReviewFetchRetries>();
        // The fetcher asks the sources in this order: the first that reads an app fetches it; the feed comes last.
        services.AddSingleton<PublicFeedReviewSource>();
        services.AddSingleton<IReviewSource, FeedProbeReviewSource>(); // only between a busy app's hourly API fetches
        services.AddSingleton<IReviewSource, AppStoreConnectReviewSource>();
        services.AddSingleton<IReviewSource, GooglePlayReviewSource>();
        services.AddSingleton<IReviewSource>(provider => provider.GetRequiredService<PublicFeedReviewSource>());
        services.AddSingleton<ReviewFetcher>();
        services.AddSingleton<ReviewLifecycle>();
        services.AddSingleton<IAppRegisteredListener>(provider => provider.GetRequiredService<ReviewLifecycle>());
        services.AddSingleton<IIntegrationActivationListener>(provider =>
            provider.GetRequiredService<ReviewLifecycle>());
        services.AddSingleton<IIntegrationConnectionListener>(provider =>
            provider.GetRequiredService<ReviewLifecycle>());
        services.AddSingleton<IAppDataPurger>(provider => provider.GetRequiredService<ReviewLifecycle>());
        services.AddSingleton<IPlayConnectionListener, PlayConnectionFetches>();
        services.AddSingleton<IPlayReadBudget, PlayReadBudget>();
        services.AddHttpClient<AppStoreFeedClient>((provider, http) =>
                http.BaseAddress = new Uri(provider.GetRequiredService<IOptions<ReviewsOptions>>()
                    .Value.FeedBaseUrl.TrimEnd('/') + "/"))
            .AddOutboundResilience((provider, resilience) =>
                resilience.AttemptTimeout.Timeout = provider.GetRequiredService<IOptions<ReviewsOptions>>()
                    .Value.FeedTimeout);
        return services;
    }
}
