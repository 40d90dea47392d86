import { p } from "@mikro-orm/core";

/** An instant: `timestamptz`, read and written as a Date. */
export const timestamptz = () => p.datetime().columnType("timestamptz");

/** Set when the row is created. */
export const createdAt = () => timestamptz().onCreate(() => new Date());

/** Set when the row is created and on every flush that changes it. */
export const updatedAt = () => createdAt().onUpdate(() => new Date());
