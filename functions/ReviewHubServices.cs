using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Accounts;
using ReviewHub.AppStoreConnect;
using ReviewHub.Apps;
using ReviewHub.Delivery;
using ReviewHub.Email;
using ReviewHub.GooglePlay;
using ReviewHub.Integrations;
using ReviewHub.Json;
using ReviewHub.Observability;
using ReviewHub.Operations;
using ReviewHub.Replies;
using ReviewHub.ReplyAutomation;
using ReviewHub.Reviews;
using ReviewHub.Secrets;
using ReviewHub.Security;
using ReviewHub.Slack;
using ReviewHub.Storage;

namespace ReviewHub;

/// <summary>Everything the function app registers; Program.cs and the tests' host both call this, so tests run the real
/// wiring.</summary>
internal static class ReviewHubServices
{
    public static IServiceCollection AddReviewHub(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        // HTTP bodies use the same JSON shape as queues and stored documents (enums as strings).
        services.Configure<JsonOptions>(options => ReviewHubJson.Configure(options.JsonSerializerOptions));
        services.AddSingleton(ReviewHubStorage.Catalog);
        services.AddStorage(configuration);
        services.AddSecurity(configuration);
        services.AddSecrets(configuration);
        services.AddEmail(configuration);
        services.AddAppStoreConnect(configuration);
        services.AddGooglePlay(configuration);
        services.AddObservability();
        services.AddOperations();
        services.AddDelivery(configuration);

        services.AddAccounts(configuration);
        services.AddApps();
        services.AddIntegrations(configuration);
        services.AddGooglePlayConnections();
        services.AddReplies(configuration);
        services.AddReplyAutomation(configuration);
        services.AddSlack(configuration);
        services.AddReviews(configuration);
        return services;
    }
}
