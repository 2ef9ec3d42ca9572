namespace ReviewHub.AppStoreConnect;

/// <summary>Apple's <c>X-Rate-Limit: user-hour-lim:3600;user-hour-rem:500;</c>: the key's hourly budget and what is
/// left of it.</summary>
internal sealed record RateLimit(int HourlyLimit, int Remaining)
{
    public const string Header = "X-Rate-Limit";

    public static RateLimit? Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }
        int? limit = null, remaining = null;
        foreach (var part in header.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split(':', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2 || !int.TryParse(pair[1], out var value))
            {
                continue;
            }
            switch (pair[0])
            {
                case "user-hour-lim": limit = value; break;
                case "user-hour-rem": remaining = value; break;
            }
        }
        return limit is { } l && remaining is { } r ? new RateLimit(l, r) : null;
    }
}
