import type { MemberRole } from "../../src/modules/user/user.entity.ts";
import type { Principal } from "../../src/modules/user/user.service.ts";
import type { Runtime } from "../../src/runtime.ts";

/** A user with a role in a collective, its API token and the principal that token stands for. */
export async function createEditor(
  runtime: Pick<Runtime, "users">,
  slug: string,
  email: string,
  role: MemberRole = "editor",
): Promise<{ token: string; principal: Principal }> {
  await runtime.users.create(email, "correct horse battery");
  await runtime.users.addMember(slug, email, role);
  const { token } = await runtime.users.createToken(email);
  const principal = await runtime.users.authenticate(token);
  if (!principal) throw new Error(`the token of ${email} does not authenticate`);
  return { token, principal };
}
