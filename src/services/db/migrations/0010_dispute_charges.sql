ALTER TABLE "charge_disputes" ADD COLUMN "charge_amount_minor" bigint;--> statement-breakpoint
ALTER TABLE "charge_disputes" ADD COLUMN "charged_on" date;--> statement-breakpoint
ALTER TABLE "charge_disputes" ADD COLUMN "charge_email" text;--> statement-breakpoint
ALTER TABLE "charge_disputes" ADD COLUMN "charge_name" text;