using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReviewHub.Http;
using ReviewHub.Configuration;

namespace ReviewHub.Email;

internal static class EmailServiceCollectionExtensions
{
    public static IServiceCollection AddEmail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<EmailOptions>(configuration, EmailOptions.Section);
        // mail/send is not idempotent: only 429s and failed connections are retried here, the callers retry the rest.
        services.AddHttpClient<IEmailSender, SendGridEmailSender>()
            .AddOutboundResilience((provider, resilience) => resilience.AttemptTimeout.Timeout =
                provider.GetRequiredService<IOptions<EmailOptions>>().Value.Timeout,
                OutboundRetry.UnprocessedOnly);
        return services;
    }
}
