using ReviewHub.Apps;
using ReviewHub.Reviews;

namespace ReviewHub.ReplyAutomation;

/// <summary>What a template's placeholders stand for, taken from one review of one app.</summary>
internal sealed record PlaceholderValues(string Nickname, string AppName, int Rating, string Territory, string Store)
{
    public static PlaceholderValues For(ReviewEntity review, AppEntity app) => new(
        review.ReviewerNickname ?? string.Empty, app.Name, review.Rating, review.Territory, StoreLimits.StoreName(app));
}
