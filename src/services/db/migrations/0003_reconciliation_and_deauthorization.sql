ALTER TABLE "connections" ADD COLUMN "authorized_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "last_reconciled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "last_reconciled_scanned" integer;--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "last_reconciled_repaired" integer;