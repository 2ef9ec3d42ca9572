using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReviewHub.Apps;
using ReviewHub.Configuration;

namespace ReviewHub.Integrations;

internal static class IntegrationsServiceCollectionExtensions
{
    public static IServiceCollection AddIntegrations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<IntegrationOptions>(configuration, IntegrationOptions.Section);
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<IntegrationOptions>>().Value;
            return new WorkingDayCalendar(options.TimeZone, options.HolidayDates);
        });
        // Transient: it holds the typed App Store Connect HttpClient, whose handlers rotate.
        services.AddTransient<AppStoreConnectUserDirectory>();
        services.AddTransient<AppStoreConnectAppCatalog>();
        services.AddTransient<TeamKeyVerifier>();
        services.AddTransient<ConnectionAppLinker>();
        services.AddSingleton<IntegrationStore>();
        services.AddSingleton<ConnectionAppStore>();
        services.AddTransient<ConnectionAppRegistration>();
        services.AddSingleton<IntegrationSetupLauncher>();
        services.AddTransient<ConnectionSetup>(); // holds the transient TeamKeyVerifier
        services.AddSingleton<IntegrationKeyRefusals>();
        services.AddSingleton<AppConnections>();
        services.AddSingleton<IntegrationEventLog>();
        services.AddSingleton<IntegrationOwnerMail>();
        services.AddSingleton<IntegrationDegradedEmails>();
        services.AddTransient<IntegrationHealthCheck>(); // holds the transient AppStoreConnectUserDirectory
        services.AddSingleton<IntegrationDisconnection>();
        // The setup orchestration's activities; transient where they hold a typed HttpClient (App Store Connect,
        // SendGrid), whose handlers rotate.
        services.AddTransient<CheckIntegrationActivity>();
        services.AddTransient<ActivateIntegrationActivity>();
        services.AddTransient<FailIntegrationActivity>();
        services.AddSingleton<RecordIntegrationCancelledActivity>();
        services.AddTransient<EmailIntegrationOwnerActivity>();
        services.AddSingleton<MissingInvitationReport>();
        services.AddSingleton<OperatorWorkFunctions>();
        services.AddSingleton<IAppDataPurger, IntegrationPurger>();
        return services;
    }
}
