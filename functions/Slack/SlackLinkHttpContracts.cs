namespace ReviewHub.Slack;

internal sealed record SlackLinkRequest(string? Token) : Http.IValidatable
{
    public void Validate(Http.ValidationErrors errors) => errors.Required(Token, "token", 1000);
}

internal sealed record SlackLinkResponse(string TeamId, string SlackUserId, string UserId, DateTimeOffset LinkedAt);
