/** Reading the review's Markdown in tests. */

/** The items of a `## title` section's bullet list. */
export function bulletsOf(markdown: string, title: string): string[] {
  const section = markdown.split(/^## /m).find((part) => part.startsWith(`${title}\n`)) ?? "";
  return section.split("\n").filter((line) => line.startsWith("- "));
}

/** The review's warnings, in order. */
export const warningsOf = (markdown: string): string[] => bulletsOf(markdown, "Warnings");
