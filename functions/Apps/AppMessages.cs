using ReviewHub.Http;

namespace ReviewHub.Apps;

public sealed record RegisterAppRequest(string? StoreAppId, string? Platform, string? Name, IReadOnlyList<string>? Territories) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (errors.Required(StoreAppId, "storeAppId", 20) && !StoreAppId.All(char.IsAsciiDigit))
        {
            errors.Add("storeAppId", "must be the app's numeric Apple ID.");
        }
        if (errors.Required(Platform, "platform", 10) && !Platforms.All.Contains(Platform))
        {
            errors.Add("platform", $"must be one of: {string.Join(", ", Platforms.All)}.");
        }
        errors.SingleLine(Name, "name", 200);
        AppRules.ValidateTerritories(Territories, errors, required: true);
    }
}

public sealed record UpdateAppRequest(string? Name, IReadOnlyList<string>? Territories) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (Name is null && Territories is null)
        {
            errors.Add("body", "Send at least one of: name, territories.");
        }
        if (Name is not null)
        {
            errors.SingleLine(Name, "name", 200);
        }
        AppRules.ValidateTerritories(Territories, errors, required: false);
    }
}

public sealed record AppResponse(
    string AppId, string AccountId, string StoreAppId, string Platform, string Name, IReadOnlyList<string> Territories, DateTimeOffset CreatedAt)
{
    public static AppResponse From(AppEntity app) =>
        new(app.AppId, app.AccountId, app.StoreAppId, app.Platform, app.Name, app.TerritoryList, app.CreatedAt);
}

/// <summary>
/// Queue message: purge everything that belongs to a removed app. A pass before
/// <see cref="AppRemovalFunction.FinalPurgeAfter"/> sends itself again, delayed to then; the pass after it deletes the
/// app's row.
/// </summary>
public sealed record AppRemoval(string AccountId, string AppId);

internal static class AppRules
{
    public const int MaxTerritories = 200;

    public static void ValidateTerritories(IReadOnlyList<string>? territories, ValidationErrors errors, bool required)
    {
        if (territories is null)
        {
            if (required)
            {
                errors.Add("territories", "is required: a list of ISO 3166 alpha-3 codes, e.g. [\"USA\"].");
            }
            return;
        }
        if (territories.Count == 0 || territories.Count > MaxTerritories)
        {
            errors.Add("territories", $"must list between 1 and {MaxTerritories} territories.");
        }
        foreach (var code in territories.Where(c => !Apps.Territories.IsKnown(c)))
        {
            errors.Add("territories", $"'{code}' is not an App Store territory (ISO 3166 alpha-3, upper case).");
        }
    }

    public static string JoinTerritories(IEnumerable<string> territories) => string.Join(',', territories.Distinct(StringComparer.Ordinal));
}
