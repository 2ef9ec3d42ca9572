namespace ReviewHub.Email;

public sealed record EmailMessage(IReadOnlyList<string> To, string Subject, string PlainText, string Html);
