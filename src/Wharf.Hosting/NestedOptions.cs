using System.ComponentModel.DataAnnotations;

namespace Wharf.Hosting;

/// <summary>
/// Data annotations stop at a section's own properties: a section whose chosen driver needs a subsection
/// (<c>Storage:S3</c>, <c>Metadata:PostgreSql</c>) checks it from its own <see cref="IValidatableObject.Validate"/> with this.
/// </summary>
internal static class NestedOptions
{
    /// <summary>The problems of a required subsection at <paramref name="path"/>, each prefixed with the path.</summary>
    public static IEnumerable<ValidationResult> Required(object? options, string path)
    {
        if (options is null)
        {
            return [new ValidationResult($"{path} is required by the chosen driver")];
        }

        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => new ValidationResult($"{path}: {r.ErrorMessage}", r.MemberNames));
    }
}
