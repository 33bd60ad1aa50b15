pub const BUS_NAME: &str = "jp.or.med.orca.CaTool1";
