using System.Text.Encodings.Web;
using System.Text.Json;

namespace Wharf.Http.Results;

/// <summary>
/// How Wharf writes JSON answers: <c>+</c>, <c>'</c> and other characters that are only special inside HTML are
/// written plainly (<c>application/vnd.oci.image.index.v1+json</c>, not <c>…v1\u002Bjson</c>), as other registries do.
/// Every answer is served as JSON with <c>X-Content-Type-Options: nosniff</c>, never inlined into a page.
/// </summary>
public static class JsonOutput
{
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
