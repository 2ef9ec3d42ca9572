using ReviewHub.Http;
using ReviewHub.Storage;

namespace ReviewHub.Operations;

/// <summary>Optional replay filter: only messages whose JSON has this <c>appId</c>; at most <see cref="MaxMessages"/>
/// (default 1000).</summary>
internal sealed record ReplayPoisonRequest(string? AppId, int? MaxMessages) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (AppId is not null && !Ids.IsValid(AppId))
        {
            errors.Add("appId", "must be an app id (32 lowercase hex characters).");
        }
        if (MaxMessages is < 1 or > 10_000)
        {
            errors.Add("maxMessages", "must be between 1 and 10000.");
        }
    }
}

internal sealed record ReplayPoisonResponse(string Queue, int Replayed, int Skipped);
