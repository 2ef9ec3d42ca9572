using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Configuration;
using ReviewHub.Storage;

namespace ReviewHub.Accounts;

internal static class AccountsServiceCollectionExtensions
{
    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<AccountLimitsOptions>(configuration, AccountLimitsOptions.Section);
        services.AddValidatedOptions<EmailConfirmationOptions>(configuration, EmailConfirmationOptions.Section);
        services.AddSingleton<AccountStore>();
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<EmailConfirmationTokens>();
        services.AddSingleton<EmailConfirmationStore>();
        // Holds the typed (transient) email client.
        services.AddTransient<EmailConfirmationSender>();
        return services;
    }
}
