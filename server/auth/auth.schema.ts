import { z } from "zod";

const text = (max: number) => z.string().max(max).catch("");

export const loginForm = z.object({ email: text(320), password: text(1000), terug: z.string().max(300).optional().catch(undefined) });
export const codeForm = z.object({ code: text(40) });
export const forgotForm = z.object({ email: text(320) });
export const choosePasswordForm = z.object({ password: text(1000), confirmation: text(1000) });
