import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** A daily job's run on one day: inserting the row is the claim, so the job runs once a day across nodes. */
export class ScheduledJobRun extends Model<InferAttributes<ScheduledJobRun>, InferCreationAttributes<ScheduledJobRun>> {
  declare job: string;
  declare runDay: string;
  declare nodeId: string;
  declare result: string | null;
  declare ranAt: Date;

  static initModel(sequelize: Sequelize): void {
    ScheduledJobRun.init(
      {
        job: { type: DataTypes.STRING(64), primaryKey: true },
        runDay: { type: DataTypes.STRING(10), primaryKey: true },
        nodeId: { type: DataTypes.STRING(64), allowNull: false },
        result: { type: DataTypes.STRING(1000), allowNull: true },
        ranAt: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: "scheduled_job_runs", underscored: true, timestamps: false },
    );
  }
}
