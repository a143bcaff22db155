-- Dashboard card: how many articles the dataset is coded from.
select count(*) as n from sources
