// Validates Kubernetes manifests (YAML files, several documents each, or "-" for standard input) against the
// Kubernetes API's OpenAPI schemas as compiled into the kubernetes-models package: required fields, types and
// formats of every known apiVersion/kind. Unknown fields are checked by the .NET side (KubernetesClient, strict).
// Prints one line per document ("ok FILE KIND/NAME" or "invalid FILE KIND/NAME: errors") and exits 1 on any error.
"use strict";
const fs = require("fs");
const YAML = require("yaml");

function modelFor(apiVersion, kind) {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
    const path = ["kubernetes-models", group, version, kind].filter(Boolean).join("/");
    try {
        return require(path)[kind];
    } catch {
        return null;
    }
}

function validate(file, text) {
    const problems = [];
    for (const document of YAML.parseAllDocuments(text, { uniqueKeys: true })) {
        if (document.errors.length > 0) {
            problems.push(`invalid ${file}: ${document.errors.map((e) => e.message).join("; ")}`);
            continue;
        }
        const manifest = document.toJS();
        if (manifest === null || manifest === undefined) {
            continue;
        }
        const name = `${manifest.kind}/${manifest.metadata && manifest.metadata.name}`;
        if (typeof manifest.apiVersion !== "string" || typeof manifest.kind !== "string") {
            problems.push(`invalid ${file} ${name}: no apiVersion or kind`);
            continue;
        }
        const Model = modelFor(manifest.apiVersion, manifest.kind);
        if (Model === null || Model === undefined) {
            problems.push(`invalid ${file} ${name}: unknown apiVersion/kind ${manifest.apiVersion}/${manifest.kind}`);
            continue;
        }
        try {
            new Model(manifest).validate();
            console.log(`ok ${file} ${name}`);
        } catch (error) {
            const details = (error.errors || []).map((e) => `${e.instancePath || "/"} ${e.message}`);
            problems.push(`invalid ${file} ${name}: ${details.length > 0 ? details.join("; ") : error.message}`);
        }
    }
    return problems;
}

const files = process.argv.slice(2);
if (files.length === 0) {
    console.error("usage: node validate.js FILE... (- for standard input)");
    process.exit(2);
}
const problems = files.flatMap((file) => validate(file, fs.readFileSync(file === "-" ? 0 : file, "utf8")));
for (const problem of problems) {
    console.log(problem);
}
process.exit(problems.length > 0 ? 1 : 0);
