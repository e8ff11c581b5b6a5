using Microsoft.AspNetCore.Http;
using Wharf.Core.Audit;
using Wharf.Http.Auth;

namespace Wharf.Http.Audit;

/// <summary>
/// Records an audit event for the current request: the caller (from <see cref="CallerAccess"/>, anonymous without
/// one), the client's address as Wharf sees it (after any trusted proxy's headers) and the request id.
/// </summary>
public sealed class RequestAudit(AuditLog log)
{
    public ValueTask RecordAsync(HttpContext context, string action, string? repository = null, string? target = null, string? detail = null) =>
        RecordAsAsync(context, context.Features.Get<CallerAccess>()?.User, action, repository, target, detail);

    /// <summary>As <see cref="RecordAsync"/>, for a named actor (<paramref name="actor"/> null is anonymous): a login, before any caller is known.</summary>
    public ValueTask RecordAsAsync(HttpContext context, string? actor, string action, string? repository = null, string? target = null, string? detail = null) =>
        log.RecordAsync(actor ?? "", AuditActorKinds.Of(actor), AuthorizationHeader.Client(context), action, repository, target, detail, context.TraceIdentifier);
}
