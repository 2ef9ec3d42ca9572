using System.Net;
using ReviewHub.Email;

namespace ReviewHub.Integrations;

/// <summary>The owner emails of the setup flow, in plain text and HTML from the same paragraphs.</summary>
internal static class IntegrationEmails
{
    /// <summary>
    /// The row status an email describes; an email whose moment has passed (roles fixed meanwhile) is not sent. The
    /// activation email is a step of the activation itself, sent while the row is Activating.
    /// </summary>
    public static IntegrationStatus StatusFor(OwnerEmail email) => email switch
    {
        OwnerEmail.RolesMissing => IntegrationStatus.RolesMissing,
        OwnerEmail.Activated => IntegrationStatus.Activating,
        OwnerEmail.Degraded => IntegrationStatus.Degraded,
        _ => IntegrationStatus.Failed,
    };

    public static string RoleNames(string? roles) =>
        string.Join(", ", (roles ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(
            AppStoreConnectRoles.DisplayName));

    public static EmailMessage Compose(OwnerEmail email, IntegrationEntity row, string appName, string ownerEmail,
        IntegrationOptions options)
    {
        var requirement = IntegrationRoles.For(row.KindValue);
        var deadline = TimeZoneInfo.ConvertTime(row.Deadline, options.TimeZone);
        var (subject, paragraphs) = email switch
        {
            OwnerEmail.RolesMissing => ($"Action needed: add App Store Connect roles for {appName}",
                new[]
                {
                    $"ReviewHub is connecting {appName} to App Store Connect ({requirement.Title}), but the user " +
                        $"{row.IntegrationEmail} is missing these roles: {RoleNames(row.MissingRoles)}.",
                    $"In App Store Connect, open Users and Access, select {row.IntegrationEmail}, add the roles and " +
                        $"save. The roles this integration needs: {IntegrationRoles.Describe(requirement)}.",
                    "Then click \"I've updated the roles\" in ReviewHub, or simply wait: ReviewHub checks again " +
                        "regularly.",
                    $"The setup stays open until {deadline:yyyy-MM-dd HH:mm} ({options.BusinessTimeZone}).",
                }),
            OwnerEmail.Activated => ($"{appName} is connected to App Store Connect",
                new[]
                {
                    $"The {requirement.Title} integration of {appName} is active: the roles of " +
                        $"{row.IntegrationEmail} were verified.",
                    "Reviews now arrive every hour instead of four times a day, and your review history is being " +
                        "imported.",
                }),
            OwnerEmail.Degraded => ($"Action needed: {appName} lost its App Store Connect connection",
                new[]
                {
                    $"App Store Connect no longer takes ReviewHub's connection of {appName}: {row.DegradedReason}",
                    "Until it is fixed, reviews do not sync and replies wait. Nothing is lost: once it works again, " +
                    "ReviewHub fetches every review it missed.",
                    "After fixing it, click \"I fixed it\" in ReviewHub, or wait for ReviewHub's daily check.",
                }),
            OwnerEmail.OperatorsLate => ($"ReviewHub is late connecting {appName}",
                new[]
                {
                    $"Connecting {appName} to App Store Connect ({requirement.Title}) waits on ReviewHub's " +
                        $"operators: {ConnectionActors.For(row).Step}",
                    $"This is our delay, not yours: your setup does not expire while we are the ones to act, and " +
                        "it completes as soon as our operators have done their part. They have been alerted.",
                    $"If you have not invited {row.IntegrationEmail} yet, invite it now in App Store Connect " +
                        $"(Users and Access) with {IntegrationRoles.Describe(requirement)}.",
                }),
            OwnerEmail.NoInvitation => ($"Action needed: invite {row.IntegrationEmail} to {appName}",
                new[]
                {
                    $"ReviewHub's operators found no invitation of {row.IntegrationEmail} from {appName} " +
                        $"({requirement.Title}).",
                    $"In App Store Connect, open Users and Access and invite {row.IntegrationEmail} with " +
                        $"{IntegrationRoles.Describe(requirement)} (send it again if it expired), then click " +
                        "\"I've invited\" in ReviewHub.",
                    $"Your setup stays open until {deadline:yyyy-MM-dd HH:mm} ({options.BusinessTimeZone}).",
                }),
            _ => ($"App Store Connect setup for {appName} stopped",
                new[]
                {
                    $"ReviewHub could not finish the {requirement.Title} integration of {appName} within " +
                        $"{options.WorkingDays} working days. {row.FailureReason}",
                    $"Next steps: in App Store Connect, open Users and Access and make sure {row.IntegrationEmail} " +
                        $"is invited (or is a user) with these roles: {IntegrationRoles.Describe(requirement)}.",
                    "Then confirm the invitation again in ReviewHub to start a new attempt. Reply to this email if " +
                        "you need help.",
                }),
        };
        return new EmailMessage(
            [ownerEmail],
            subject,
            string.Join("\n\n", paragraphs),
            string.Concat(paragraphs.Select(p => $"<p>{WebUtility.HtmlEncode(p)}</p>")));
    }
}
